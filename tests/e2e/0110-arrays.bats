#!/usr/bin/env bats
# Job arrays (slurm.md 1.6): every task is a job of its own with the
# SLURM_ARRAY_* variables and its own output file; the throttle bounds the
# running tasks; squeue folds pending tasks; scancel takes N, N_M, N_[a-b].
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 4; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# task_state ARRAY_ID TASK: the long state of one task.
task_state() {
	squeue -h -r -t all -j "$1" -o "%i %T" | awk -v t="$1_$2" '$1 == t { print $2 }'
}

# wait_tasks ARRAY_ID REGEX [SECONDS]: every task of the array in a state matching REGEX.
wait_tasks() {
	local id=$1 re=$2 limit=${3:-30} i states
	for ((i = 0; i < limit * 10; i++)); do
		states=$(squeue -h -r -t all -j "$id" -o "%T" | sort -u)
		if [ -n "$states" ] && ! grep -qvxE "$re" <<<"$states"; then
			return 0
		fi
		sleep 0.1
	done
	echo "array $id: states '$states' after ${limit}s" >&2
	return 1
}

@test "each task writes slurm-%A_%a.out with its SLURM_ARRAY_* variables" {
	cd "$SKY_WORK"
	run sbatch --array=1-7:3 --wrap 'env | grep -E "^SLURM_(ARRAY_|JOB_ID=)" | sort'
	[ "$status" -eq 0 ]
	[[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
	id=${BASH_REMATCH[1]}
	wait_tasks "$id" COMPLETED
	k=0
	for t in 1 4 7; do
		f=slurm-${id}_$t.out
		wait_file "$f"
		grep -qx "SLURM_ARRAY_JOB_ID=$id" "$f"
		grep -qx "SLURM_ARRAY_TASK_ID=$t" "$f"
		grep -qx "SLURM_ARRAY_TASK_COUNT=3" "$f"
		grep -qx "SLURM_ARRAY_TASK_MIN=1" "$f"
		grep -qx "SLURM_ARRAY_TASK_MAX=7" "$f"
		grep -qx "SLURM_ARRAY_TASK_STEP=3" "$f"
		# Each task is its own job: consecutive ids from the master id on.
		grep -qx "SLURM_JOB_ID=$((id + k))" "$f"
		k=$((k + 1))
	done
	[ ! -e "slurm-$id.out" ]
}

@test "-o expands %A %a and %b for each task" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --array=11,12 -o 'pat-%A-%a-%b.txt' --wrap 'echo $SLURM_ARRAY_TASK_ID')
	wait_tasks "$id" COMPLETED
	wait_file "pat-$id-11-1.txt"
	wait_file "pat-$id-12-2.txt"
	[ "$(cat "pat-$id-11-1.txt")" = 11 ]
	[ "$(cat "pat-$id-12-2.txt")" = 12 ]
}

@test "SBATCH_ARRAY_INX gives the array like --array" {
	cd "$SKY_WORK"
	id=$(SBATCH_ARRAY_INX=3-4 sbatch --parsable --hold --wrap true)
	run squeue -h -r -j "$id" -o "%i"
	[ "$output" = "${id}_3"$'\n'"${id}_4" ]
	scancel "$id"
}

@test "the %1 throttle runs one task at a time" {
	cd "$SKY_WORK"
	mkdir -p thr
	id=$(sbatch --parsable --array=1-4%1 -o /dev/null --wrap \
		"mkdir $SKY_WORK/thr/lock || echo overlap >> $SKY_WORK/thr/log
		 echo start \$SLURM_ARRAY_TASK_ID >> $SKY_WORK/thr/log; sleep 1
		 echo end \$SLURM_ARRAY_TASK_ID >> $SKY_WORK/thr/log; rmdir $SKY_WORK/thr/lock")
	sleep 0.5
	# While one runs, the others wait with Slurm's reason, folded with the throttle.
	run squeue -h -j "$id" -t PD -o "%i %r"
	[[ $output =~ ^${id}_\[[2-4](-4)?%1\]\ JobArrayTaskLimit$ ]]
	wait_tasks "$id" COMPLETED 40
	[ "$(cat thr/log)" = "$(printf 'start %d\nend %d\n' 1 1 2 2 3 3 4 4)" ]
}

@test "squeue folds pending tasks into N_[expr] and -r shows one row each" {
	id=$(sbatch --parsable --array=5-99%4 --hold --wrap true)
	run squeue -h -j "$id" -o "%i|%F|%K|%r"
	[ "$status" -eq 0 ]
	[ "$output" = "${id}_[5-99%4]|$id|5-99%4|JobHeldUser" ]
	run squeue -h -r -j "$id" -o "%i %A %F %K"
	[ "${#lines[@]}" -eq 95 ]
	[ "${lines[0]}" = "${id}_5 $id $id 5" ]
	[ "${lines[94]}" = "${id}_99 $((id + 94)) $id 99" ]
	SQUEUE_ARRAY=1 run squeue -h -j "$id" -o "%i"
	[ "${#lines[@]}" -eq 95 ]
	scancel "$id"
}

@test "a stride folds as a-b:s; long expressions are cut as Slurm 22.05 cuts them" {
	id=$(sbatch --parsable --array=0-40:4 --hold --wrap true)
	[ "$(squeue -h -j "$id" -o %i)" = "${id}_[0-40:4]" ]
	scancel "$id"
	list=$(seq -s, 1 2 59),60
	id=$(sbatch --parsable --array="$list" --hold --wrap true)
	full=$(seq -s, 1 2 57),59-60
	# %K: a 64-byte buffer, so 60 characters and "..."; %i: 31 characters.
	[ "$(squeue -h -j "$id" -o %K)" = "${full:0:60}..." ]
	[ "$(squeue -h -j "$id" -o %i)" = "$(printf '%.31s' "${id}_[$full")" ]
	[ "$(SLURM_BITSTR_LEN=0 squeue -h -j "$id" -o %K)" = "$full" ]
	# A single pending task is still the array's row.
	one=$(sbatch --parsable --array=7 --hold --wrap true)
	[ "$(squeue -h -j "$one" -o '%i %K')" = "${one}_[7] 7" ]
	scancel "$one"
	scancel "$id"
}

@test "scancel takes one task, a task range, and the whole array" {
	id=$(sbatch --parsable --array=1-5 --hold --wrap true)
	run scancel "${id}_2"
	[ "$status" -eq 0 ]
	[ "$(task_state "$id" 2)" = CANCELLED ]
	[ "$(task_state "$id" 1)" = PENDING ]
	run scancel "${id}_[3-4]"
	[ "$status" -eq 0 ]
	[ "$(task_state "$id" 3)" = CANCELLED ]
	[ "$(task_state "$id" 4)" = CANCELLED ]
	[ "$(task_state "$id" 5)" = PENDING ]
	# The pending rows left fold again.
	[ "$(squeue -h -t PD -j "$id" -o %i)" = "${id}_[1,5]" ]
	run scancel "${id}_9"
	[ "$status" -eq 1 ]
	[ "$output" = "scancel: error: Kill job error on job id ${id}_9: Invalid job id specified" ]
	run scancel "$id"
	[ "$status" -eq 0 ]
	[ "$(task_state "$id" 1)" = CANCELLED ]
	[ "$(task_state "$id" 5)" = CANCELLED ]
}

@test "scontrol show job names the array of each task" {
	id=$(sbatch --parsable --array=2-3%1 --hold --wrap true)
	run scontrol show job "$((id + 1))"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "JobId=$((id + 1)) ArrayJobId=$id ArrayTaskId=3 ArrayTaskThrottle=1 JobName=wrap" ]]
	# Without a throttle there is no ArrayTaskThrottle (as 22.05 prints).
	id2=$(sbatch --parsable --array=1-2 --hold --wrap true)
	[ "$(scontrol show job "$id2" | head -n1)" = "JobId=$id2 ArrayJobId=$id2 ArrayTaskId=1 JobName=wrap" ]
	scancel "$id2"
	# The master id shows every task.
	[ "$(scontrol show job "$id" | grep -c '^JobId=')" -eq 2 ]
	scancel "$id"
}

@test "sbatch -W on an array exits with the highest task exit code" {
	cd "$SKY_WORK"
	run sbatch -W --array=1-3 -o /dev/null --wrap 'exit $SLURM_ARRAY_TASK_ID'
	[ "$status" -eq 3 ]
	run sbatch -W --array=0-1 -o /dev/null --wrap 'exit 0'
	[ "$status" -eq 0 ]
}

@test "invalid array specifications are rejected with Slurm's message" {
	for spec in 0-1001 5-1 abc 1-4:0 1,,2; do
		run sbatch --array="$spec" --wrap true
		[ "$status" -eq 1 ]
		[ "$output" = "sbatch: error: Batch job submission failed: Invalid job array specification" ]
	done
	run sbatch --array=0-1000 --hold --wrap true
	[ "$status" -eq 0 ]
	scancel "${output##* }"
}
