import { crontabLine, renderSystemdUnits } from '../../src/cli/systemd-units';

describe('systemd units', () => {
  const options = {
    name: 'ingest-collector-app_market',
    onCalendar: '*-*-* 02:30:00 UTC',
    bundlePath: '/opt/ingest-collector/collector.cjs',
    manifestPath: '/opt/ingest-collector/manifests/app_market.json',
    environmentFile: '/etc/ingest-collector/collector.env',
  };

  test('the timer runs the service on the manifest schedule and catches up missed runs', () => {
    const { timer } = renderSystemdUnits(options);
    expect(timer).toContain('OnCalendar=*-*-* 02:30:00 UTC');
    expect(timer).toContain('Persistent=true');
    expect(timer).toContain('Unit=ingest-collector-app_market.service');
  });

  test('the service is a hardened oneshot that retries failures but not budget or configuration errors, nor a snapshot another run holds', () => {
    const { service } = renderSystemdUnits(options);
    expect(service).toContain('Type=oneshot');
    expect(service).toContain('ExecStart=/usr/bin/node --enable-source-maps /opt/ingest-collector/collector.cjs collect --manifest /opt/ingest-collector/manifests/app_market.json --progress json');
    expect(service).toContain('RestartPreventExitStatus=2 3 8\n');
    expect(service).toContain('SuccessExitStatus=8\n');
    expect(service).toContain('ProtectSystem=strict');
    expect(service).toContain('ReadWritePaths=/var/lib/ingest-collector');
    expect(service).not.toMatch(/API_KEY/);
  });

  test('the documented crontab alternative', () => {
    expect(crontabLine(options)).toMatch(/^30 2 \* \* \* .*collect --manifest \/opt\/ingest-collector\/manifests\/app_market.json/);
  });
});
