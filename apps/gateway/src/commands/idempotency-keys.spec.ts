import { IdempotencyKeyReusedError, RequestValidationError } from '../http/problem.error';
import {
  canonicalJson,
  IdempotencyKeys,
  type IdempotencyRecord,
  IdempotencyRepository,
} from './idempotency-keys';
import { commandIdForKey } from './router-ids';

/** The keys in a map, with the unique `_id` of the real collection. */
class InMemoryIdempotencyRepository extends IdempotencyRepository {
  readonly records = new Map<string, IdempotencyRecord>();

  async insert(record: IdempotencyRecord): Promise<boolean> {
    if (this.records.has(record._id)) return false;
    this.records.set(record._id, { ...record });
    return true;
  }

  async find(id: string): Promise<IdempotencyRecord | null> {
    return this.records.get(id) ?? null;
  }

  async complete(id: string, response: string): Promise<void> {
    const record = this.records.get(id);
    if (record) this.records.set(id, { ...record, state: 'completed', response });
  }

  async deleteExpired(now: Date): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.records) {
      if (record.expiresAt < now) deleted += Number(this.records.delete(id));
    }
    return deleted;
  }
}

describe(IdempotencyKeys.name, () => {
  const ana = { tenantId: 'tenant-1', agentId: 'ana' };
  const request = {
    method: 'POST',
    route: '/conversations/c-1/reply',
    body: { text: 'Olá', channel: 'sms' },
  };
  let now: Date;
  let repository: InMemoryIdempotencyRepository;
  let sut: IdempotencyKeys;

  beforeEach(() => {
    now = new Date('2026-01-01T10:00:00Z');
    repository = new InMemoryIdempotencyRepository();
    sut = new IdempotencyKeys(repository, { ttlMs: 86_400_000, staleMs: 30_000 }, () => now);
  });

  it('should give a first request a command id derived from the agent and the key', async () => {
    const claim = await sut.claim(ana, 'key-1', request);

    expect(claim).toEqual({ kind: 'new', commandId: commandIdForKey('tenant-1', 'ana', 'key-1') });
  });

  it('should replay the stored answer when the same request comes again', async () => {
    await sut.claim(ana, 'key-1', request);
    await sut.remember(ana, 'key-1', {
      status: 200,
      body: { commandId: 'x', status: 'applied', events: [] },
    });

    const retry = await sut.claim(ana, 'key-1', {
      ...request,
      body: { channel: 'sms', text: 'Olá' },
    });

    expect(retry).toEqual({
      kind: 'replay',
      response: { status: 200, body: { commandId: 'x', status: 'applied', events: [] } },
    });
  });

  it('should refuse the same key with another body', async () => {
    await sut.claim(ana, 'key-1', request);

    await expect(
      sut.claim(ana, 'key-1', { ...request, body: { text: 'Outra coisa' } }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('should refuse the same key on another route', async () => {
    await sut.claim(ana, 'key-1', request);

    await expect(
      sut.claim(ana, 'key-1', { ...request, route: '/conversations/c-2/reply' }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('should keep agents apart: the same key of another agent is another request', async () => {
    await sut.claim(ana, 'key-1', request);

    const other = await sut.claim({ tenantId: 'tenant-1', agentId: 'bia' }, 'key-1', {
      ...request,
      body: { text: 'different' },
    });

    expect(other).toEqual({ kind: 'new', commandId: commandIdForKey('tenant-1', 'bia', 'key-1') });
  });

  it('should wait for the first attempt without publishing while it is in flight, and republish once it is stale', async () => {
    await sut.claim(ana, 'key-1', request);

    const early = await sut.claim(ana, 'key-1', request);
    now = new Date(now.getTime() + 30_000);
    const late = await sut.claim(ana, 'key-1', request);

    const commandId = commandIdForKey('tenant-1', 'ana', 'key-1');
    expect(early).toEqual({ kind: 'in-flight', commandId, republish: false });
    expect(late).toEqual({ kind: 'in-flight', commandId, republish: true });
  });

  it('should forget a key once it expired and swept', async () => {
    await sut.claim(ana, 'key-1', request);
    now = new Date(now.getTime() + 86_400_001);

    expect(await sut.sweep()).toBe(1);
    await expect(sut.claim(ana, 'key-1', { ...request, body: { text: 'new' } })).resolves.toMatchObject({
      kind: 'new',
    });
  });

  it.each(['', 'with space', 'x'.repeat(256), 'acentuação'])(
    'should refuse the malformed key %j',
    async (key) => {
      await expect(sut.claim(ana, key, request)).rejects.toBeInstanceOf(RequestValidationError);
    },
  );

  describe(canonicalJson.name, () => {
    it('should not depend on the order of object keys', () => {
      expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
        canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
      );
    });
  });
});
