#!/usr/bin/env bats
# sbatch -C/--constraint against node Features= (slurm.md 1.3), and
# squeue -j / scontrol show job / scontrol release naming one array task.
load helpers

setup_file() {
	sky_start --nodes 2 --cpus-per-node 1 --kill-wait 2 \
		--node-features node1=gpu,big --node-features node2=cpu
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "-C feat runs only on a node with that feature" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -C cpu -o c1.out --wrap 'echo $SLURMD_NODENAME')
	b=$(sbatch --parsable --constraint=gpu -o c2.out --wrap 'echo $SLURMD_NODENAME')
	wait_state "$a" COMPLETED 20
	wait_state "$b" COMPLETED 20
	[ "$(cat c1.out)" = node2 ]
	[ "$(cat c2.out)" = node1 ]
}

@test "-C with & | ( ) [ ] and ! picks the matching node" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -C 'big&gpu' -o c3.out --wrap 'echo $SLURMD_NODENAME')
	b=$(sbatch --parsable -C '(nosuchmix|cpu)&!gpu' -o c4.out --wrap 'echo $SLURMD_NODENAME' 2>&1) || true
	c=$(sbatch --parsable -C '[cpu|big]&!big' -o c5.out --wrap 'echo $SLURMD_NODENAME')
	wait_state "$a" COMPLETED 20
	wait_state "$c" COMPLETED 20
	[ "$(cat c3.out)" = node1 ]
	# --test-only places the job where the constraint allows
	run sbatch --test-only -C cpu --wrap true
	[ "$status" -eq 0 ]
	[[ $output == *" on nodes node2 in partition debug" ]]
	[ "$(cat c5.out)" = node2 ]
	# a name no node has is refused even inside an OR
	[[ $b == *"Invalid feature specification"* ]]
}

@test "-C [a|b] (matching OR): all nodes of the job share one alternative" {
	cd "$SKY_WORK"
	# no alternative is on two nodes: never runnable, refused at submit
	run sbatch -N 2 -C '[gpu|cpu]' --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Requested node configuration is not available" ]
	# a plain OR lets each node satisfy it its own way
	a=$(sbatch --parsable -N 2 -C 'gpu|cpu' -o /dev/null --wrap true)
	b=$(sbatch --parsable -C '[cpu|nosuchbutknown]' -o /dev/null --wrap true 2>&1) || true
	c=$(sbatch --parsable -C '[big|cpu]' -o mor.out --wrap 'echo $SLURMD_NODENAME')
	wait_state "$a" COMPLETED 20
	[ "$(job_field "$a" %N)" = 'node[1-2]' ]
	[[ $b == *"Invalid feature specification"* ]]
	wait_state "$c" COMPLETED 20
	[ "$(cat mor.out)" = node1 ]
}

@test "-C is stored: scontrol Features= and squeue %f" {
	id=$(sbatch --parsable -H -C 'gpu|cpu' -o /dev/null --wrap true)
	[ "$(scontrol_field "$id" Features)" = 'gpu|cpu' ]
	[ "$(squeue -h -j "$id" -o %f)" = 'gpu|cpu' ]
	run squeue -j "$id" -o '%.8f'
	[ "${lines[0]}" = "FEATURES" ]
	plain=$(sbatch --parsable -H -o /dev/null --wrap true)
	[ "$(scontrol_field "$plain" Features)" = '(null)' ]
	scancel "$id" "$plain"
}

@test "a constraint no node satisfies is rejected at submit" {
	run sbatch -C 'gpu&cpu' --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Requested node configuration is not available" ]
	run sbatch -N 2 -C gpu --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Requested node configuration is not available" ]
	run sbatch -C nosuch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid feature specification" ]
	run sbatch -C 'gpu&' --wrap true
	[ "$status" -eq 1 ]
	[[ $output == "sbatch: error: Batch job submission failed: Invalid feature specification"* ]]
	run sbatch -C 'gpu*2' --wrap true
	[ "$status" -eq 1 ]
	[[ $output == *"node counts (feature*count) are not supported"* ]]
}

@test "a job waits (Resources) while the only node with its feature is busy" {
	cd "$SKY_WORK"
	busy=$(sbatch --parsable -C gpu -o /dev/null --wrap 'sleep 30')
	wait_state "$busy" RUNNING 20
	w=$(sbatch --parsable -C big -o /dev/null --wrap true)
	sleep 1
	[ "$(job_field "$w" %T)" = PENDING ]
	[ "$(job_field "$w" %r)" = Resources ]
	scancel "$busy"
	wait_state "$w" COMPLETED 20
	[ "$(job_field "$w" %N)" = node1 ]
}

@test "squeue -j N_M and scontrol show job N_M show only that array task" {
	a=$(sbatch --parsable -a 1-4 -H -o /dev/null --wrap true)
	run squeue -h -j "${a}_2" -o '%i %K'
	[ "$status" -eq 0 ]
	[ "$output" = "${a}_2 2" ]
	run squeue -h -j "${a}_[1,3]" -o '%K'
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = 1 ] && [ "${lines[1]}" = 3 ]
	run squeue -h -j "$a" -o '%i'
	[ "$output" = "${a}_[1-4]" ]
	run scontrol -o show job "${a}_3"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *" ArrayJobId=$a ArrayTaskId=3 "* ]]
	run scontrol show job "$a"
	[ "$(grep -c '^JobId=' <<<"$output")" -eq 4 ]
	run scontrol show job "${a}_9"
	[ "$status" -eq 1 ]
	[ "$output" = "Job ${a}_9 not found" ]
	run squeue -h -j "${a}_9"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	scancel "$a"
}

@test "scontrol release N_M releases that task only" {
	a=$(sbatch --parsable -a 1-3 -H -o /dev/null --wrap true)
	scontrol release "${a}_2"
	wait_state "$(squeue -h -r -t all -j "${a}_2" -o %A)" COMPLETED 20
	[ "$(squeue -h -r -j "${a}_1" -o %r)" = JobHeldUser ]
	[ "$(squeue -h -r -j "${a}_3" -o %r)" = JobHeldUser ]
	run scontrol release "${a}_7"
	[ "$status" -eq 1 ]
	[ "$output" = "Invalid job id specified for job ${a}_7" ]
	scancel "$a"
}
