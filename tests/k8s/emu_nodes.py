"""Node objects of the emulator: label presets of the GPU distributions
(peers.md section 1.2), quantities, and the add-node control's arguments."""

import re
import time

from emu_store import ApiError

# canonical GPU -> label value per distribution, and memory (MiB)
GPU_NAMES = {
    #  gpu:       (GKE accelerator,       GFD product,               Karpenter, CoreWeave class,     Nebius,  OCI shape,          MiB)
    "h100":      ("nvidia-h100-80gb",     "NVIDIA-H100-80GB-HBM3",   "h100",    "H100_NVLINK_80GB",  "H100",  "BM.GPU.H100.8",    81559),
    "h200":      ("nvidia-h200-141gb",    "NVIDIA-H200",             "h200",    "H200",              "H200",  "BM.GPU.H200.8",    143771),
    "a100":      ("nvidia-tesla-a100",    "NVIDIA-A100-SXM4-40GB",   "a100",    "A100_NVLINK",       "A100",  "BM.GPU4.8",        40960),
    "a100-80gb": ("nvidia-a100-80gb",     "NVIDIA-A100-SXM4-80GB",   "a100",    "A100_NVLINK_80GB",  "A100",  "BM.GPU.A100-v2.8", 81920),
    "l4":        ("nvidia-l4",            "NVIDIA-L4",               "l4",      "L4",                "L4",    "VM.GPU.L4.1",      22888),
    "l40s":      ("nvidia-l40s",          "NVIDIA-L40S",             "l40s",    "L40S",              "L40S",  "BM.GPU.L40S.4",    46068),
    "t4":        ("nvidia-tesla-t4",      "Tesla-T4",                "t4",      "Tesla_T4",          "T4",    "VM.GPU.T4.1",      15360),
    "v100":      ("nvidia-tesla-v100",    "Tesla-V100-SXM2-16GB",    "v100",    "Tesla_V100_NVLINK", "V100",  "BM.GPU3.8",        16384),
}
DISTROS = ("gke", "gfd", "karpenter", "coreweave", "nebius", "oci", "plain", "cpu")


def preset_labels(distro, gpu, count):
    """(labels, taints) a node of that distribution carries for COUNT GPUs."""
    if distro not in DISTROS:
        raise ApiError(400, "BadRequest", "unknown preset distro %r (one of %s)" % (distro, " ".join(DISTROS)))
    if distro == "cpu":
        return {}, []
    if gpu not in GPU_NAMES:
        raise ApiError(400, "BadRequest", "unknown preset GPU %r (one of %s)" % (gpu, " ".join(GPU_NAMES)))
    gke, gfd, karp, cw, neb, oci, mib = GPU_NAMES[gpu]
    n = str(count)
    if distro == "gke":
        return ({"cloud.google.com/gke-accelerator": gke, "cloud.google.com/gke-accelerator-count": n,
                 "cloud.google.com/gke-nodepool": "gpu-pool"},
                [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}])
    if distro == "gfd":
        return ({"nvidia.com/gpu.product": gfd, "nvidia.com/gpu.count": n, "nvidia.com/gpu.memory": str(mib),
                 "nvidia.com/gpu.family": "hopper" if gpu.startswith("h") else "ampere",
                 "nvidia.com/gpu.present": "true"}, [])
    if distro == "karpenter":
        return ({"karpenter.k8s.aws/instance-gpu-name": karp, "karpenter.k8s.aws/instance-gpu-count": n,
                 "karpenter.k8s.aws/instance-gpu-memory": str(mib),
                 "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia",
                 "karpenter.sh/capacity-type": "on-demand"},
                [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}])
    if distro == "coreweave":
        return ({"gpu.nvidia.com/class": cw, "gpu.nvidia.com/model": gfd,
                 "gpu.nvidia.com/vram": str(mib // 1024)}, [])
    if distro == "nebius":
        return {"nebius.com/gpu-name": neb}, []
    if distro == "oci":
        return {"node.kubernetes.io/instance-type": oci}, []
    return {"slurm-sky/accelerator": gpu}, []


_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
           "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
           "P": 1e15, "E": 1e18}
_QTY = re.compile(r"^([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?([A-Za-z]*)$")


def parse_quantity(q):
    """A resource.Quantity string as a float (cpu in cores, memory in bytes)."""
    m = _QTY.match(str(q).strip())
    if not m or m.group(3) not in _SUFFIX:
        raise ApiError(422, "Invalid", "quantities must match the regular expression: %r" % q)
    v = float(m.group(1)) * _SUFFIX[m.group(3)]
    if m.group(2):
        v *= 10 ** int(m.group(2))
    return v


def parse_taint(text):
    """KEY[=VALUE]:EFFECT"""
    m = re.match(r"^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$", text)
    if not m:
        raise ApiError(400, "BadRequest", "bad taint %r (KEY[=VALUE]:EFFECT)" % text)
    t = {"key": m.group(1), "effect": m.group(3)}
    if m.group(2):
        t["value"] = m.group(2)
    return t


def node_object(name, labels=None, cpu="16", memory="64Gi", gpus=0, taints=None, unschedulable=False,
                gpu_resource="nvidia.com/gpu"):
    lab = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
           "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}
    lab.update(labels or {})
    cap = {"cpu": str(cpu), "memory": str(memory), "pods": "110", "ephemeral-storage": "100Gi"}
    if gpus:
        cap[gpu_resource] = str(gpus)
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": lab},
            "spec": {}, "status": {}}
    if taints:
        node["spec"]["taints"] = taints
    if unschedulable:
        node["spec"]["unschedulable"] = True
    fill_node_status(node, cap)
    return node


def fill_node_status(node, cap=None):
    """Defaults a kubelet would report, for nodes created through the API too."""
    st = node.setdefault("status", {})
    cap = cap or st.get("capacity") or {"cpu": "16", "memory": "64Gi", "pods": "110"}
    st.setdefault("capacity", dict(cap))
    st.setdefault("allocatable", dict(st["capacity"]))
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    st.setdefault("conditions", [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                  "lastHeartbeatTime": now, "lastTransitionTime": now,
                                  "message": "kubelet is posting ready status (emulated)"}])
    st.setdefault("addresses", [{"type": "InternalIP", "address": "127.0.0.1"},
                                {"type": "Hostname", "address": node["metadata"]["name"]}])
    st.setdefault("nodeInfo", {"kubeletVersion": "v1.32.0-sky-emu", "osImage": "sky emulator",
                               "kernelVersion": "emulated", "containerRuntimeVersion": "emu://1",
                               "architecture": "amd64", "operatingSystem": "linux"})


def node_from_args(args):
    """add-node NAME [KEY=VALUE...] [--preset D:GPU:N] [--cpu Q] [--memory Q]
    [--gpus N] [--taint T] [--unschedulable] [--gpu-resource NAME]"""
    if not args:
        raise ApiError(400, "BadRequest", "add-node: NAME required")
    name, labels, taints = args[0], {}, []
    opts = {"cpu": "16", "memory": "64Gi", "gpus": None, "unschedulable": False,
            "gpu_resource": "nvidia.com/gpu"}
    it = iter(args[1:])
    for a in it:
        if a == "--unschedulable":
            opts["unschedulable"] = True
        elif a in ("--preset", "--cpu", "--memory", "--gpus", "--taint", "--gpu-resource"):
            v = next(it, None)
            if v is None:
                raise ApiError(400, "BadRequest", "add-node: %s needs a value" % a)
            if a == "--preset":
                parts = v.split(":")
                distro = parts[0]
                gpu = parts[1] if len(parts) > 1 else ""
                count = int(parts[2]) if len(parts) > 2 else (8 if distro != "cpu" else 0)
                plab, ptaints = preset_labels(distro, gpu, count)
                labels.update(plab)
                taints.extend(ptaints)
                if opts["gpus"] is None:
                    opts["gpus"] = count
            elif a == "--taint":
                taints.append(parse_taint(v))
            elif a == "--gpus":
                opts["gpus"] = int(v)
            else:
                opts[a[2:].replace("-", "_")] = v
        elif "=" in a:
            k, v = a.split("=", 1)
            labels[k] = v
        else:
            raise ApiError(400, "BadRequest", "add-node: bad argument %r (KEY=VALUE or --option)" % a)
    return node_object(name, labels, opts["cpu"], opts["memory"], opts["gpus"] or 0, taints,
                       opts["unschedulable"], opts["gpu_resource"])
