#!/usr/bin/env bats
# sacctmgr (slurm.md section 7, "Associations"): accounts and users added,
# shown, modified and deleted with Slurm's messages and -P output; every
# acknowledged change survives a kill -9 of the controller; only operators
# may change associations; without -i nothing changes until "y".
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 2
	cd "$SKY_WORK"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "a new cluster has the root account with user root in it" {
	run sacctmgr -n -P show assoc format=cluster,account,user,share
	[ "$status" -eq 0 ]
	[ "$output" = "sky|root||1
sky|root|root|1" ]
	run sacctmgr show account
	[ "$output" = "   Account                Descr                  Org 
---------- -------------------- -------------------- 
      root default root account                 root " ]
}

@test "add account prints Slurm's summary and show lists it" {
	run sacctmgr -i add account Physics Fairshare=2 Description="physics dept" GrpJobs=10
	[ "$status" -eq 0 ]
	[ "$output" = " Adding Account(s)
  physics
 Settings
  Description     = physics dept
  Organization    = Parent/Account Name
 Associations
  A = physics    C = sky       
 Settings
  Parent        = root
  Fairshare     = 2
  GrpJobs       = 10" ]
	run sacctmgr -i add account theory Parent=physics
	[ "$status" -eq 0 ]
	run sacctmgr -P show account
	[ "$output" = "Account|Descr|Org
physics|physics dept|physics
root|default root account|root
theory|theory|physics" ]
	# Adding it again adds nothing, and says so.
	run sacctmgr -i add account physics
	[ "$status" -eq 1 ]
	[ "$output" = " Nothing new added." ]
}

@test "add user prints the associations and show user gives the default account" {
	run sacctmgr -i add user alice Account=physics,theory DefaultAccount=theory MaxSubmitJobs=5
	[ "$status" -eq 0 ]
	[ "$output" = " Adding User(s)
  alice
 Settings =
  Default Account = theory
 Associations =
  U = alice     A = physics    C = sky       
  U = alice     A = theory     C = sky       
 Non Default Settings
  MaxSubmitJobs = 5" ]
	run sacctmgr -n -P show user alice
	[ "$output" = "alice|theory|None" ]
	run sacctmgr -P -n show assoc format=account,user,share,grpjobs,maxsubmit,parentname
	[ "$output" = "root||1|||
root|root|1|||
physics||2|10||root
physics|alice|1||5|
theory||1|||physics
theory|alice|1||5|" ]
	run sacctmgr -i add user bob Account=nosuch
	[ "$status" -eq 1 ]
	[ "$output" = " This account 'nosuch' doesn't exist." ]
}

@test "modify sets and clears limits; where selects the associations" {
	run sacctmgr -i modify user alice where account=theory set MaxJobs=3 GrpTRES=cpu=4 Fairshare=7
	[ "$status" -eq 0 ]
	[ "$output" = " Modified user associations...
  C = sky        A = theory     U = alice    " ]
	run sacctmgr -P -n show assoc where user=alice format=account,share,maxjobs,grptres
	[ "$output" = "physics|1||
theory|7|3|cpu=4" ]
	run sacctmgr -i modify account physics set GrpJobs=-1 Fairshare=parent
	[ "$output" = " Modified account associations...
  C = sky        A = physics   " ]
	run sacctmgr -P -n show assoc account=physics format=account,user,share,grpjobs
	[ "$output" = "physics||parent|
physics|alice|1|" ]
	run sacctmgr -i modify user nobody set MaxJobs=1
	[ "$output" = " Nothing modified" ]
}

@test "without -i nothing changes unless the answer is y" {
	run bash -c 'echo n | sacctmgr add account chemistry'
	[ "$status" -eq 0 ]
	[[ "$output" == *" Adding Account(s)"* ]]
	[[ "$output" == *"Would you like to commit changes? (You have 30 seconds to decide)
(N/y):  Changes Discarded" ]]
	run sacctmgr -n -P show account chemistry
	[ "$output" = "" ]
	run bash -c 'echo y | sacctmgr add account chemistry'
	[ "$status" -eq 0 ]
	run sacctmgr -n -P show account chemistry format=account
	[ "$output" = "chemistry" ]
}

@test "associations survive a kill -9 of the controller" {
	kill -9 "$(ctld_pid)"
	sleep 0.5
	ctld_restart
	run sacctmgr -P -n show assoc where user=alice format=account,share,maxjobs,grptres,maxsubmit
	[ "$output" = "physics|1|||5
theory|7|3|cpu=4|5" ]
	run sacctmgr -n -P show user alice
	[ "$output" = "alice|theory|None" ]
	run sacctmgr -n -P show account format=account,descr
	[ "$output" = "chemistry|chemistry
physics|physics dept
root|default root account
theory|theory" ]
}

@test "only operators change associations" {
	ensure_test_user
	run as_test_user sacctmgr -i add account rogue
	[ "$status" -eq 1 ]
	[ "$output" = " Problem adding accounts: Access/permission denied" ]
	run as_test_user sacctmgr -i delete account physics
	[ "$status" -eq 1 ]
	[ "$output" = " Error with request: Access/permission denied" ]
	# Anyone may look.
	run as_test_user sacctmgr -n -P show account rogue
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "delete user associations, users and accounts" {
	run sacctmgr -i delete user alice where account=physics
	[ "$status" -eq 0 ]
	[ "$output" = " Deleting user associations...
  C = sky        A = physics    U = alice    " ]
	run sacctmgr -i delete user alice
	[ "$output" = " Deleting users...
  alice" ]
	run sacctmgr -n -P show user alice
	[ "$output" = "" ]
	# An account's associations go with it, its sub-accounts' included.
	run sacctmgr -i delete account physics
	[ "$output" = " Deleting accounts...
  physics" ]
	run sacctmgr -n -P show account format=account
	[ "$output" = "chemistry
root" ]
	run sacctmgr -i delete account physics
	[ "$output" = " Nothing deleted" ]
}
