/**
 * The systemd unit that runs `pitcrew agent` beside one runner, as a
 * dedicated unprivileged user, with the filesystem read-only except for its
 * own state folder. The token comes from an EnvironmentFile that only root
 * can read; it must never appear in the unit itself. Every value placed here
 * has been checked by names.ts.
 */

export interface AgentUnitOptions {
  runner: string;
  server: string;
  user: string;
  runnerDir: string;
  listen: string;
  /** The runner's own systemd unit, probed by the agent. */
  service?: string;
  pitcrewBin: string;
}

export function unitName(runner: string): string {
  return `pitcrew-agent-${runner}.service`;
}

export function unitPath(runner: string): string {
  return `/etc/systemd/system/${unitName(runner)}`;
}

export function envFilePath(runner: string): string {
  return `/etc/pitcrew/agent-${runner}.env`;
}

export function stateDir(runner: string): string {
  return `/var/lib/pitcrew-agent/${runner}`;
}

export function agentArgs(o: AgentUnitOptions): string[] {
  const args = ['agent', '--server', o.server, '--runner', o.runner, '--listen', o.listen];
  if (o.service !== undefined) args.push('--service', o.service);
  args.push('--work-dir', `${o.runnerDir}/_work`, '--diag-dir', `${o.runnerDir}/_diag`);
  return args;
}

export function agentUnit(o: AgentUnitOptions): string {
  return `# pitcrew agent for the GitHub Actions runner ${o.runner}. Written by \`pitcrew agent install\`;
# pitcrew's docs/agent-install.md explains each setting.
[Unit]
Description=pitcrew agent for runner ${o.runner}
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
# A dedicated unprivileged user, never the runner's login user: a job cannot tamper with its health reports.
User=${o.user}
Group=${o.user}
# Holds PITCREW_TOKEN; root-only (0600), read by systemd before it drops privileges.
EnvironmentFile=${envFilePath(o.runner)}
ExecStart=${o.pitcrewBin} ${agentArgs(o).join(' ')}
Restart=always
RestartSec=2s
StateDirectory=pitcrew-agent/${o.runner}
StateDirectoryMode=0750
WorkingDirectory=${stateDir(o.runner)}
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=${stateDir(o.runner)}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
CapabilityBoundingSet=
AmbientCapabilities=
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

export function agentEnvFile(runner: string): string {
  return `# pitcrew agent ${runner}: the token it presents to the server (role agent: pitcrew token create --role agent, or a server.tokens entry).
# Replace the value below; \`pitcrew agent install\` never overwrites this file.
PITCREW_TOKEN=replace-with-the-agent-token
`;
}
