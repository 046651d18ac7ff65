#!/usr/bin/env bats
# sacctmgr add|modify|delete|show qos (slurm.md section 7; Slurm's
# qos.shtml): the default QOS "normal", Slurm's messages, -P output with
# format=, associations' QOS=/QOS+=/QOS-=/DefaultQOS=, operators only, and
# everything acknowledged survives a kill -9 of the controller.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 2
	cd "$SKY_WORK"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "a new cluster has the QOS normal, shown with Slurm's columns" {
	run sacctmgr -n -P show qos format=name,priority,maxjobspu,usagefactor,descr
	[ "$status" -eq 0 ]
	[ "$output" = "normal|0||1.000000|Normal QOS default" ]
	run sacctmgr show qos format=name,priority,maxjobspu
	[ "$output" = "      Name   Priority MaxJobsPU 
---------- ---------- --------- 
    normal          0           " ]
	# The default format is Slurm's 26 columns.
	run sacctmgr -P show qos
	[ "${lines[0]}" = "Name|Priority|GraceTime|Preempt|PreemptExemptTime|PreemptMode|Flags|UsageThres|UsageFactor|GrpTRES|GrpTRESMins|GrpTRESRunMin|GrpJobs|GrpSubmit|GrpWall|MaxTRES|MaxTRESPerNode|MaxTRESMins|MaxWall|MaxTRESPU|MaxJobsPU|MaxSubmitPU|MaxTRESPA|MaxJobsPA|MaxSubmitPA|MinTRES" ]
	[ "${lines[1]}" = "normal|0|00:00:00|||cluster|||1.000000|||||||||||||||||" ]
}

@test "add qos prints what it adds and show lists it" {
	run sacctmgr -i add qos High Priority=100 MaxJobsPU=2 GrpTRES=cpu=8 MaxWall=1:00:00
	[ "$status" -eq 0 ]
	[ "$output" = " Adding QOS(s)
  high
 Settings
  Description    = QOS Name
  GrpTRES                  = cpu=8
  MaxJobsPerUser = 2
  MaxWall                  = 01:00:00
  Priority                 = 100" ]
	run sacctmgr -n -P show qos format=name,priority,maxjobspu,grptres,maxwall
	[ "$output" = "normal|0|||
high|100|2|cpu=8|01:00:00" ]
	run sacctmgr -i add qos high
	[ "$status" -eq 1 ]
	[ "$output" = " Nothing new added." ]
	run sacctmgr -i add qos Priority=3
	[ "$status" -eq 1 ]
	[ "$output" = " Need name of qos to add." ]
}

@test "modify qos by name or where Name=, with -1 clearing a limit" {
	run sacctmgr -i modify qos high set Priority=50 MaxSubmitJobsPerUser=4 Flags=DenyOnLimit
	[ "$status" -eq 0 ]
	[ "$output" = " Modified qos...
  high" ]
	run sacctmgr -i modify qos where name=high set MaxJobsPU=-1 UsageFactor=2
	[ "$status" -eq 0 ]
	run sacctmgr -n -P show qos high format=name,priority,maxjobspu,maxsubmitpu,flags,usagefactor
	[ "$output" = "high|50||4|DenyOnLimit|2.000000" ]
	run sacctmgr -i modify qos nosuch set Priority=1
	[ "$output" = " Nothing modified" ]
	run sacctmgr -i modify qos high set Bogus=1
	[ "$status" -eq 1 ]
	[ "$output" = " Error with request: Unknown option: Bogus=1" ]
}

@test "accounts and users get QOS lists and a default QOS" {
	sacctmgr -i add qos low >/dev/null
	run sacctmgr -i add account phys QOS=normal,high
	[ "$status" -eq 0 ]
	run sacctmgr -i add user alice Account=phys DefaultQOS=high
	[ "$status" -eq 0 ]
	[ "$output" = " Adding User(s)
  alice
 Settings =
  Default Account = phys
 Associations =
  U = alice     A = phys       C = sky       
 Non Default Settings
  DefQOS        = high" ]
	# alice inherits the account's list until she has her own.
	run sacctmgr -n -P show assoc where account=phys format=account,user,qos,defaultqos
	[ "$output" = "phys||normal,high|
phys|alice|normal,high|high" ]
	run sacctmgr -i modify user alice set QOS+=low
	[ "$status" -eq 0 ]
	run sacctmgr -i modify user alice set QOS-=normal
	run sacctmgr -n -P show assoc where user=alice format=user,qos,defqos
	[ "$output" = "alice|high,low|high" ]
	run sacctmgr -n -P show assoc where account=root format=account,user,qos
	[ "$output" = "root||normal
root|root|normal" ]
	run sacctmgr -i modify user alice set QOS=bogus
	[ "$status" -eq 1 ]
	[ "$output" = " Error with request: You gave a bad qos 'bogus'.  Use 'list qos' to get complete list." ]
}

@test "a QOS that is a default QOS cannot be deleted; others can" {
	run sacctmgr -i delete qos high
	[ "$status" -eq 1 ]
	[[ "$output" == *"Please either remove the qos' listed above"* ]]
	run sacctmgr -i delete qos low
	[ "$status" -eq 0 ]
	[ "$output" = " Deleting QOS(s)...
  low" ]
	run sacctmgr -n -P show qos format=name
	[ "$output" = "normal
high" ]
	run sacctmgr -i delete qos low
	[ "$output" = " Nothing deleted" ]
}

@test "without -i nothing changes until the answer is y" {
	run bash -c 'echo n | sacctmgr add qos scratch'
	[[ "$output" == *"Changes Discarded"* ]]
	run sacctmgr -n -P show qos scratch format=name
	[ "$output" = "" ]
	run bash -c 'echo y | sacctmgr add qos scratch'
	[ "$status" -eq 0 ]
	run sacctmgr -n -P show qos scratch format=name
	[ "$output" = "scratch" ]
}

@test "only operators change QOS" {
	ensure_test_user
	run as_test_user sacctmgr -i add qos mine
	[ "$status" -eq 1 ]
	[ "$output" = " Problem adding QOS: Access/permission denied" ]
	run as_test_user sacctmgr -n -P show qos format=name
	[ "$status" -eq 0 ]
	[[ "$output" == *high* ]]
}

@test "QOS and associations' QOS lists survive a kill -9 of the controller" {
	kill -9 "$(ctld_pid)"
	sleep 0.5
	ctld_restart
	run sacctmgr -n -P show qos format=name,priority,maxsubmitpu,flags,usagefactor
	[ "$output" = "normal|0|||1.000000
high|50|4|DenyOnLimit|2.000000
scratch|0|||1.000000" ]
	run sacctmgr -n -P show assoc where user=alice format=user,qos,defqos
	[ "$output" = "alice|high,low|high" ]
	# Ids are never reused: the next QOS gets a new one.
	sacctmgr -i add qos later >/dev/null
	run sacctmgr -n -P show qos format=name,id
	[ "$output" = "normal|1
high|2
scratch|4
later|5" ]
}
