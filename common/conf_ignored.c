/*
 * conf_ignored.c: the Slurm keys slurm-sky accepts so that an existing
 * slurm.conf loads, but does not act on (conf.c logs them at debug level).
 * Kept apart from the parser so the parser stays about parsing.
 */
#include "config.h"

#include <stddef.h>

#include "conf_cloud.h"

/*
 * Slurm keys accepted so an existing slurm.conf loads, but not acted on
 * (logged at debug level).
 */
const char *const conf_global_ignored[] = {
	"AccountingStorageBackupHost",
	"AccountingStorageExternalHost", "AccountingStorageHost", "AccountingStorageLoc",
	"AccountingStorageParameters", "AccountingStoragePass", "AccountingStoragePort",
	"AccountingStorageType", "AccountingStorageUser",
	"AccountingStoreFlags", "AccountingStoreJobComment", "AcctGatherEnergyType",
	"AcctGatherFilesystemType", "AcctGatherInterconnectType", "AcctGatherNodeFreq",
	"AcctGatherProfileType", "AllowSpecResourcesUsage", "AuthAltParameters",
	"AuthAltTypes", "BackupAddr", "BackupController", "BatchStartTimeout", "BcastExclude",
	"BcastParameters", "BurstBufferType", "CacheGroups", "CertgenType", "CertmgrType",
	"CheckpointType", "CliFilterPlugins", "CommunicationParameters", "CompleteWait",
	"CoreSpecPlugin", "CpuFreqDef", "CpuFreqGovernors", "CredType", "CryptoType",
	"DataParserParameters", "DebugFlags", "DefCpuPerGPU", "DefMemPerGPU",
	"DependencyParameters", "DisableRootJobs", "EioTimeout", "EnforcePartLimits", "Epilog",
	"EpilogMsgTime", "EpilogSlurmctld", "EpilogTimeout", "ExtSensorsFreq",
	"ExtSensorsType", "FastSchedule", "FederationParameters",
	"GetEnvTimeout", "GpuFreqDef", "GresTypes", "GroupUpdateForce", "GroupUpdateTime",
	"HashPlugin", "HealthCheckInterval", "HealthCheckNodeState", "HealthCheckProgram",
	"InteractiveStepOptions", "JobAcctGatherFrequency", "JobAcctGatherParams",
	"JobAcctGatherType", "JobCheckpointDir", "JobCompHost", "JobCompLoc", "JobCompParams",
	"JobCompPass", "JobCompPort", "JobCompType", "JobCompUser", "JobContainerType",
	"JobCredentialPrivateKey", "JobCredentialPublicCertificate", "JobFileAppend",
	"JobSubmitPlugins", "KeepAliveTime", "KillOnBadExit", "LaunchParameters", "LaunchType",
	"Licenses", "LogTimeFormat", "MaxBatchRequeue", "MaxDBDMsgs",
	"MaxMemPerCPU", "MaxMemPerNode", "MaxNodeCount", "MaxStepCount", "MaxTasksPerNode",
	"MCSParameters", "MCSPlugin", "MemLimitEnforce", "MetricsType", "MpiDefault",
	"MpiParams", "NodeFeaturesPlugins", "OverTimeLimit", "PluginDir", "PlugStackConfig",
	"PowerParameters", "PowerPlugin", "PreemptExemptTime",
	"PreemptParameters", "PrEpParameters", "PrEpPlugins",
	"PriorityParameters", "PrioritySiteFactorParameters", "PrioritySiteFactorPlugin",
	"PrivateData", "ProctrackType", "Prolog", "PrologEpilogTimeout",
	"PrologFlags", "PrologSlurmctld", "PrologTimeout", "PropagatePrioProcess",
	"PropagateResourceLimits", "PropagateResourceLimitsExcept", "RebootProgram",
	"ReconfigFlags", "RequeueExit", "RequeueExitHold",
	"ResvEpilog", "ResvOverRun",
	"ResvProlog", "ReturnToService", "RoutePlugin", "SchedulerPort", "SchedulerRootFilter",
	"SchedulerTimeSlice", "SchedulerType", "ScronParameters", "SelectType",
	"SelectTypeParameters", "SlurmctldAddr", "SlurmctldParameters",
	"SlurmctldPrimaryOffProg", "SlurmctldPrimaryOnProg", "SlurmctldSyslogDebug",
	"SlurmctldTimeout", "SlurmdParameters", "SlurmdSyslogDebug", "SlurmdUser",
	"SlurmSchedLogFile", "SlurmSchedLogLevel", "SrunEpilog", "SrunPortRange", "SrunProlog",
	"SwitchParameters", "SwitchType",
	"TaskEpilog", "TaskPlugin", "TaskPluginParam", "TaskProlog", "TCPTimeout",
	"TLSParameters", "TLSType", "TmpFS", "TopologyParam", "TopologyPlugin", "TrackWCKey",
	"TreeWidth", "UnkillableStepProgram", "UnkillableStepTimeout", "UrlParserType",
	"UsePAM", "VSizeFactor", "WaitTime", "X11Parameters",
	NULL
};

const char *const conf_node_ignored[] = {
	"BcastAddr", "Comment", "CoreSpecCount", "CpuBind", "CPUSpecList", "Extra",
	"MemSpecLimit", "Parameters", "RestrictedCoresPerGPU",
	"SocketsPerBoard", "Topology", "TRESWeights",
	NULL
};

const char *const conf_part_ignored[] = {
	"AllocNodes", "AllowAccounts", "AllowGroups", "AllowQos", "Alternate", "CpuBind",
	"DefCpuPerGPU", "DefMemPerGPU", "DenyAccounts", "DenyQos", "DisableRootJobs",
	"ExclusiveTopo", "ExclusiveUser", "GraceTime", "LLN", "MaxCPUsPerNode",
	"MaxCPUsPerSocket", "MaxMemPerCPU", "MaxMemPerNode", "OverTimeLimit",
	"PreemptMode", "QOS", "ReqResv", "RootOnly",
	"SelectTypeParameters", "Topology",
	NULL
};

