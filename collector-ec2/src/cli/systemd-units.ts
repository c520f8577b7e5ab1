/**
 * systemd units that run the collector on EC2 (Amazon Linux 2023 ships no cron by default).
 * The service is a hardened oneshot; the timer fires on the manifest's schedule and catches up
 * on a run missed while the instance was down (Persistent=true).
 */
export interface SystemdUnitOptions {
  /** Unit name stem, e.g. `ingest-collector-app_market`. */
  name: string;
  /** systemd OnCalendar expression (from the manifest). */
  onCalendar: string;
  /** Absolute path of the installed bundle. */
  bundlePath: string;
  manifestPath: string;
  /** File with COLLECTOR_* settings (lake bucket, stream, ledger). */
  environmentFile: string;
  /** @default /usr/bin/node */
  nodePath?: string;
  /** @default ingest-collector */
  user?: string;
}

export function renderSystemdUnits(options: SystemdUnitOptions): { service: string; timer: string } {
  const user = options.user ?? 'ingest-collector';
  const service = `[Unit]
Description=Collect vendor dataset (${options.name})
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User=${user}
Group=${user}
EnvironmentFile=${options.environmentFile}
Environment=COLLECTOR_WORK_DIR=/var/lib/ingest-collector
ExecStart=${options.nodePath ?? '/usr/bin/node'} --enable-source-maps ${options.bundlePath} collect --manifest ${options.manifestPath} --progress json
StateDirectory=ingest-collector
# A killed or failed run resumes from its checkpoint; exit 3 (budget exhausted) and 2 (configuration) are not retried.
# Exit 8: another run (a manual collect, another instance) holds the snapshot's lease; it does the work, so not a failure.
Restart=on-failure
RestartSec=15min
SuccessExitStatus=8
RestartPreventExitStatus=2 3 8
TimeoutStartSec=8h
MemoryMax=1G
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
ReadWritePaths=/var/lib/ingest-collector

[Install]
WantedBy=multi-user.target
`;
  const timer = `[Unit]
Description=Schedule for ${options.name}

[Timer]
OnCalendar=${options.onCalendar}
Persistent=true
RandomizedDelaySec=300
Unit=${options.name}.service

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

/** The cron alternative for hosts that have cron (documented, not installed). */
export function crontabLine(options: Pick<SystemdUnitOptions, 'bundlePath' | 'manifestPath' | 'environmentFile'>): string {
  return `30 2 * * * set -a; . ${options.environmentFile}; /usr/bin/node ${options.bundlePath} collect --manifest ${options.manifestPath} --progress json >> /var/log/ingest-collector.log 2>&1`;
}
