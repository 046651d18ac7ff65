#!/usr/bin/env bats
# slurmctld-sky -n checks a ProviderName=... Type=kubernetes record: every
# key's shape, Image= required, the kubeconfig file and context; messages
# name the file and line of the slots, the provider and the key at fault.
load helpers

setup_file() {
	CONF_DIR=$(mktemp -d /tmp/sky-e2e.XXXXXX)
	export CONF_DIR
	CTLD=$SKY_BUILDDIR/slurmctld-sky/slurmctld-sky
	[ -x "$CTLD" ] || CTLD=$(command -v slurmctld-sky)
	export CTLD
	cat >"$CONF_DIR/kubeconfig" <<'EOF'
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
contexts:
- name: emu
  context:
    cluster: lab
    user: robot
current-context: emu
users:
- name: robot
  user:
    token: not-a-secret
EOF
}
teardown_file() { rm -rf "$CONF_DIR"; }

# check 'PROVIDER KEYS': the record with those keys, two slots, a partition; run -n.
check() {
	{
		echo "ClusterName=t"
		echo "SlurmSkyHome=$CONF_DIR"
		echo "ProviderName=kube Type=kubernetes $1"
		echo "NodeName=k8s-[0-1] State=CLOUD Provider=kube"
		echo "PartitionName=k8s Nodes=k8s-[0-1] MaxTime=INFINITE State=UP"
	} >"$CONF_DIR/slurm.conf"
	run "$CTLD" -n -f "$CONF_DIR/slurm.conf"
}

@test "the brief's record is OK" {
	check "Kubeconfig=$CONF_DIR/kubeconfig Context=emu Namespace=default Image=debian:stable ServiceAccount=sky Tolerations=nvidia.com/gpu:NoSchedule Labels=team=ml PriorityClass=low MaxPods=64 Price=0 GpuRule=oci.oraclecloud.com/shape=BM.GPU.A100*:a100:8"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	# Case-insensitive keys, repeated GpuRule, the current context.
	check "kubeconfig=$CONF_DIR/kubeconfig image=busybox GpuRule=a=b:h100 GpuRule=c=d*:l4:1"
	[ "$status" -eq 0 ]
}

@test "bad values name the key" {
	check "Kubeconfig=$CONF_DIR/kubeconfig Image=i MaxPods=lots"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: invalid value 'lots' for MaxPods" ]]
	check "Kubeconfig=$CONF_DIR/kubeconfig Image=i Price=cheap"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:4: NodeName=k8s-[0-1]: provider 'kube': invalid value 'cheap' for Price (dollars per GPU-hour)" ]]
	check "Kubeconfig=$CONF_DIR/kubeconfig Image=i GpuRule=BM.GPU.H100.8"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'kube': invalid value 'BM.GPU.H100.8' for GpuRule: GPU label rule 'BM.GPU.H100.8': expected LABEL=VALUE:TYPE[:COUNT]" ]]
	check "Kubeconfig=$CONF_DIR/kubeconfig Image=i Tolerations=nvidia.com/gpu:Sometimes"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'kube': invalid value 'nvidia.com/gpu:Sometimes' for Tolerations: 'nvidia.com/gpu:Sometimes' is not KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute" ]]
	check "Kubeconfig=$CONF_DIR/kubeconfig Image=i Labels=team"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'kube': invalid value 'team' for Labels: 'team' is not a KEY=VALUE label" ]]
	check "Kubeconfig=$CONF_DIR/kubeconfig Image=i Zones=us-east-1a"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: ProviderName=kube: unknown key 'Zones' for Type=kubernetes" ]]
}

@test "Image is required" {
	check "Kubeconfig=$CONF_DIR/kubeconfig Namespace=ml"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'kube': Image= is required (the pods' container image)" ]]
}

@test "the kubeconfig file and context are checked" {
	check "Kubeconfig=$CONF_DIR/nope Image=i"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'kube': "*"$CONF_DIR/nope"* ]]
	check "Kubeconfig=$CONF_DIR/kubeconfig Context=other Image=i"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'kube': kubeconfig $CONF_DIR/kubeconfig: context \"other\" not found" ]]
}
