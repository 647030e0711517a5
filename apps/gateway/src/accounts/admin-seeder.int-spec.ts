import { ServiceProcess } from '@ponte/testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, GatewayHarness, strongPassword } from '../testing/gateway.harness';
import { AdminSeeder } from './admin-seeder';

const ENTRY = 'apps/gateway/src/main.ts';

describe(AdminSeeder.name, () => {
  let first: GatewayHarness;

  beforeAll(async () => {
    first = await GatewayHarness.start();
  });

  afterAll(async () => {
    await first?.stop();
  });

  it('should create the first admin once, and never overwrite it on later boots', async () => {
    const second = await GatewayHarness.start({
      reuse: first.env,
      env: { GATEWAY_ADMIN_PASSWORD: strongPassword(), GATEWAY_ADMIN_DISPLAY_NAME: 'Someone Else' },
    });
    try {
      const login = await second.login(ADMIN_EMAIL, ADMIN_PASSWORD);

      expect(login.account).toMatchObject({ role: 'admin', displayName: 'Administrator', agentId: 'admin' });
      expect(await second.db.collection('gateway_accounts').countDocuments({ role: 'admin' })).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('should stop the boot with an explanation when the e-mail belongs to an account that is not an admin', async () => {
    const admin = await first.loginAsAdmin();
    const { account } = await first.createAgent(admin.accessToken);
    // A tenant with an admin skips the seed, so the conflict only arises in a tenant without one.
    await first.db
      .collection('gateway_accounts')
      .updateMany({ role: 'admin' }, { $set: { role: 'supervisor' } });

    const gateway = await ServiceProcess.start({
      name: 'gateway',
      entry: ENTRY,
      env: { ...first.env, GATEWAY_ADMIN_EMAIL: account.email, GATEWAY_ADMIN_PASSWORD: strongPassword() },
    });

    expect(await gateway.whenExited()).toBe('exited with status 1');
    expect(gateway.output()).toMatch(
      /GATEWAY_ADMIN_EMAIL is already used by an account that is not an admin/,
    );
    expect(await first.db.collection('gateway_accounts').findOne({ email: account.email })).toMatchObject({
      role: 'solver',
    });
  });
});
