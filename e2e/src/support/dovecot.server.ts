import { freePort, SupervisedProcess } from '@ponte/local-infra';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@ponte/testing';

/*
 * A real Dovecot IMAP server for the e-mail tests. Adapted from apps/email-ingest/src/testing/dovecot.server.ts
 * (the e2e project may not import an app's files), started with local-infra's SupervisedProcess and freePort as that
 * file's note suggests, so a crashed test worker never leaves a Dovecot behind (the watchdog kills it).
 */

export interface DovecotUser {
  user: string;
  password: string;
}

/**
 * Debian's dovecot-imapd (installed with apt-get when missing) with a throw-away config: IMAP on 127.0.0.1 and a
 * free port, plaintext login without TLS (loopback only), users from a passwd-file, Maildir under a temp directory.
 * Dovecot's login and mail processes refuse root, so as root they run as Debian's `dovenull` and `dovecot` users.
 */
export class DovecotServer {
  readonly host = '127.0.0.1';

  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly server: SupervisedProcess,
  ) {}

  static async start(users: readonly DovecotUser[]): Promise<DovecotServer> {
    ensureDovecotInstalled();
    const directory = await mkdtemp(join(tmpdir(), 'ponte-e2e-dovecot-'));
    // mkdtemp makes it 0700; Dovecot's unprivileged processes must reach the mail and run directories.
    await chmod(directory, 0o755);
    const port = await freePort();
    const accounts = processAccounts();
    const mailRoot = join(directory, 'mail');
    await mkdir(mailRoot, { recursive: true });
    if (accounts.mailUid !== undefined && accounts.mailGid !== undefined) {
      await chown(mailRoot, accounts.mailUid, accounts.mailGid);
    }
    const usersFile = join(directory, 'users');
    await writeFile(
      usersFile,
      users.map(({ user, password }) => `${user}:{PLAIN}${password}::::::\n`).join(''),
      { mode: 0o644 },
    );
    const configFile = join(directory, 'dovecot.conf');
    await writeFile(configFile, dovecotConfig({ directory, port, usersFile, mailRoot, accounts }));
    const server = SupervisedProcess.start({
      name: 'dovecot',
      command: 'dovecot',
      args: ['-F', '-c', configFile],
    });
    const dovecot = new DovecotServer(port, directory, server);
    try {
      await server.waitUntil(() => imapGreets(port), Date.now() + 30_000, `an IMAP greeting on port ${port}`);
    } catch (error) {
      await dovecot.stop();
      throw error;
    }
    return dovecot;
  }

  /** SIGTERM (forwarded by the watchdog), SIGKILL after 10 s; then the temp directory is removed. */
  async stop(): Promise<void> {
    this.server.signal('SIGTERM');
    try {
      await waitFor(() => this.server.exit, { timeoutMs: 10_000, description: 'dovecot to exit' });
    } catch {
      this.server.crash();
      await this.server.whenExited();
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}

interface ProcessAccounts {
  loginUser: string;
  internalUser: string;
  mailUser: string;
  mailUid?: number;
  mailGid?: number;
  firstValidUid: number;
}

function processAccounts(): ProcessAccounts {
  const me = userInfo();
  if (me.uid !== 0) {
    return {
      loginUser: me.username,
      internalUser: me.username,
      mailUser: me.username,
      firstValidUid: me.uid,
    };
  }
  const uid = Number(spawnSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error('the dovecot system user is missing (reinstall dovecot-core)');
  }
  return {
    loginUser: 'dovenull',
    internalUser: 'dovecot',
    mailUser: 'dovecot',
    mailUid: uid,
    mailGid: gid,
    firstValidUid: uid,
  };
}

function dovecotConfig(options: {
  directory: string;
  port: number;
  usersFile: string;
  mailRoot: string;
  accounts: ProcessAccounts;
}): string {
  const { directory, port, usersFile, mailRoot, accounts } = options;
  return `
base_dir = ${join(directory, 'run')}
state_dir = ${join(directory, 'state')}
protocols = imap
listen = 127.0.0.1
log_path = /dev/stderr
info_log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = ${accounts.loginUser}
default_internal_user = ${accounts.internalUser}
mail_uid = ${accounts.mailUser}
mail_gid = ${accounts.mailUser}
first_valid_uid = ${accounts.firstValidUid}
mail_location = maildir:${mailRoot}/%u/Maildir
mail_home = ${mailRoot}/%u
protocol imap {
  mail_max_userip_connections = 200
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${usersFile}
}
userdb {
  driver = static
  args = home=${mailRoot}/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
`;
}

/** Installs Debian's dovecot-imapd when it is missing (the tests run as root on the project's machines). */
function ensureDovecotInstalled(): void {
  if (spawnSync('dpkg', ['-s', 'dovecot-imapd'], { stdio: 'ignore' }).status === 0) return;
  const apt = (...args: string[]): number | null =>
    spawnSync('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { stdio: 'ignore' }).status;
  const install = (): number | null => apt('install', '-y', '-qq', 'dovecot-imapd');
  if (install() === 0) return;
  apt('update', '-qq');
  if (install() !== 0)
    throw new Error('could not install dovecot-imapd with apt-get (needed by the e-mail tests)');
}

function imapGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let received = '';
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) done(received.startsWith('* OK'));
    });
    socket.once('error', () => done(false));
  });
}
