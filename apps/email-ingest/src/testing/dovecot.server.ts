import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotServerOptions {
  users: readonly DovecotUser[];
  /** Receives Dovecot's log lines (for debugging a test). */
  log?: (line: string) => void;
}

const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Debian's dovecot-imapd, installed on first use, with a throw-away config: IMAP on 127.0.0.1 and a free port,
 * plaintext login without TLS (loopback only), users from a passwd-file, Maildir under a temp directory.
 *
 * Dovecot's login and mail processes refuse root, so when the tests run as root they run as Debian's `dovenull`
 * (login) and `dovecot` (mail, internal) users and the mail directory belongs to `dovecot`.
 *
 * Belongs in libs/local-infra beside the Kafka and FerretDB servers, started with its SupervisedProcess and freePort
 * (apps may not import the tooling lib, hence the small copies here; see the app README).
 */
export class DovecotServer {
  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly directory: string,
    private readonly server: DovecotProcess,
  ) {}

  static async start(options: DovecotServerOptions): Promise<DovecotServer> {
    ensureDovecotInstalled();
    const directory = await mkdtemp(join(tmpdir(), 'ponte-dovecot-'));
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
    const server = new DovecotProcess(['-F', '-c', configFile], options.log);
    try {
      await server.waitUntilGreeting(port, Date.now() + STARTUP_TIMEOUT_MS);
    } catch (error) {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
    return new DovecotServer('127.0.0.1', port, directory, server);
  }

  async stop(): Promise<void> {
    await this.server.stop();
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
    throw new DovecotServerError('the dovecot system user is missing (reinstall dovecot-core)');
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
export function ensureDovecotInstalled(): void {
  if (spawnSync('dpkg', ['-s', 'dovecot-imapd'], { stdio: 'ignore' }).status === 0) return;
  // `env` adds DEBIAN_FRONTEND to the inherited environment (apt must not prompt).
  const apt = (...args: string[]): number | null =>
    spawnSync('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { stdio: 'ignore' }).status;
  const install = (): number | null => apt('install', '-y', '-qq', 'dovecot-imapd');
  if (install() === 0) return;
  apt('update', '-qq');
  if (install() !== 0) {
    throw new DovecotServerError('could not install dovecot-imapd with apt-get (needed by the e-mail tests)');
  }
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

export class DovecotServerError extends Error {
  override readonly name = 'DovecotServerError';
}

/** `dovecot -F` as a child of the test process, killed with it (SIGTERM, then SIGKILL). */
class DovecotProcess {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly exited: Promise<void>;
  private exitDescription: string | undefined;

  constructor(args: readonly string[], log?: (line: string) => void) {
    this.child = spawn('dovecot', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.exitDescription = `could not be spawned: ${error.message}`;
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exitDescription ??= signal ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`;
        resolve();
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.lines.push(line);
        if (this.lines.length > 100) this.lines.shift();
        log?.(`[dovecot] ${line}`);
      });
    }
    process.once('exit', () => this.child.kill('SIGKILL'));
  }

  async waitUntilGreeting(port: number, deadline: number): Promise<void> {
    for (;;) {
      if (this.exitDescription !== undefined) throw this.failure(this.exitDescription);
      if (await imapGreets(port)) return;
      if (Date.now() > deadline) throw this.failure(`gave no IMAP greeting on 127.0.0.1:${port} in time`);
      await delay(100);
    }
  }

  async stop(): Promise<void> {
    if (this.exitDescription === undefined) {
      this.child.kill('SIGTERM');
      const outcome = await Promise.race([this.exited.then(() => 'exited'), delay(5_000, 'timeout')]);
      if (outcome === 'timeout') this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  private failure(what: string): DovecotServerError {
    return new DovecotServerError(`dovecot ${what}. Last output:\n${this.lines.slice(-30).join('\n')}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
