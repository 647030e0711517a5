import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { LocalInfraError } from './local-infra.error';
import { freePort, LOCALHOST } from './ports';
import { SupervisedProcess } from './process-supervisor';
import { runTool } from './provisioning';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotServerOptions {
  users: readonly DovecotUser[];
  /** Receives Dovecot's output lines, prefixed `[dovecot]` (for debugging a test). */
  log?: (line: string) => void;
}

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/**
 * Debian's dovecot-imapd, installed with apt-get on first use, with a throw-away config: IMAP on 127.0.0.1 and a
 * free port, plaintext login without TLS (loopback only), users from a passwd-file, Maildir under a temp directory
 * that `stop()` removes. Runs under the SupervisedProcess watchdog, so a crashed test worker leaves no Dovecot behind.
 *
 * Dovecot's login and mail processes refuse root, so when the tests run as root they run as Debian's `dovenull`
 * (login) and `dovecot` (mail, internal) users and the mail directory belongs to `dovecot`.
 */
export class DovecotServer {
  readonly host = LOCALHOST;

  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly server: SupervisedProcess,
  ) {}

  static async start(options: DovecotServerOptions): Promise<DovecotServer> {
    await ensureDovecotInstalled();
    const directory = await mkdtemp(join(tmpdir(), 'ponte-dovecot-'));
    try {
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
        options.users.map(({ user, password }) => `${user}:{PLAIN}${password}::::::\n`).join(''),
        { mode: 0o644 },
      );
      const configFile = join(directory, 'dovecot.conf');
      await writeFile(configFile, dovecotConfig({ directory, port, usersFile, mailRoot, accounts }));
      const server = SupervisedProcess.start({
        name: 'dovecot',
        command: 'dovecot',
        args: ['-F', '-c', configFile],
        log: options.log,
      });
      try {
        await server.waitUntil(
          () => imapGreets(port),
          Date.now() + STARTUP_TIMEOUT_MS,
          `an IMAP greeting on ${LOCALHOST}:${port}`,
        );
      } catch (error) {
        await server.stop(STOP_GRACE_MS);
        throw error;
      }
      return new DovecotServer(port, directory, server);
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }

  /** SIGTERM, SIGKILL after a grace period; then the mail and config directory is removed. */
  async stop(): Promise<void> {
    await this.server.stop(STOP_GRACE_MS);
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
    // Not root: every Dovecot process runs as the current user.
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
    throw new LocalInfraError('the dovecot system user is missing (reinstall dovecot-core)');
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
listen = ${LOCALHOST}
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
    address = ${LOCALHOST}
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
async function ensureDovecotInstalled(): Promise<void> {
  if (spawnSync('dpkg', ['-s', 'dovecot-imapd'], { stdio: 'ignore' }).status === 0) return;
  // `env` adds DEBIAN_FRONTEND to the inherited environment (apt must not prompt).
  const apt = (args: readonly string[], purpose: string): Promise<string> =>
    runTool('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { cwd: tmpdir(), purpose });
  const install = (): Promise<string> =>
    apt(
      ['install', '-y', '-qq', 'dovecot-imapd'],
      'install dovecot-imapd with apt-get (needed by the e-mail tests)',
    );
  try {
    await install();
  } catch {
    // Most often a stale package index: refresh it and try once more, reporting that attempt's failure.
    await apt(['update', '-qq'], 'update the apt package index').catch(() => undefined);
    await install();
  }
}

/** True when something on the port answers with an IMAP `* OK` greeting. */
function imapGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: LOCALHOST });
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
