import { createConnection } from 'node:net';
import { DovecotServer } from './dovecot.server';
import { canConnect } from './ports';

/** Logs in over plain IMAP and resolves with the tagged answer to LOGIN (`a1 OK …` or `a1 NO …`). */
function imapLogin(port: number, user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let received = '';
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no answer to LOGIN; received: ${received}`));
    });
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      const greeted = received.includes('\r\n');
      received += chunk.toString('latin1');
      if (!greeted && received.includes('\r\n')) socket.write(`a1 LOGIN ${user} ${password}\r\n`);
      const answer = received.split('\r\n').find((line) => line.startsWith('a1 '));
      if (answer) {
        socket.end('a2 LOGOUT\r\n');
        resolve(answer);
      }
    });
  });
}

describe(DovecotServer.name, () => {
  let sut: DovecotServer | undefined;

  afterEach(async () => {
    await sut?.stop();
    sut = undefined;
  });

  it('should accept the IMAP login of a configured user and refuse a wrong password', async () => {
    sut = await DovecotServer.start({ users: [{ user: 'support', password: 'secret-support' }] });

    expect(sut.host).toBe('127.0.0.1');
    expect(await imapLogin(sut.port, 'support', 'secret-support')).toMatch(/^a1 OK/);
    expect(await imapLogin(sut.port, 'support', 'wrong')).toMatch(/^a1 NO/);
  });

  it('should free its port when stopped', async () => {
    sut = await DovecotServer.start({ users: [{ user: 'support', password: 'secret-support' }] });
    const { port } = sut;

    await sut.stop();
    sut = undefined;

    expect(await canConnect(port)).toBe(false);
  });
});
