import { getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { PersistenceModule } from '@ponte/persistence';
import { testMongoUrl, uniqueName } from '@ponte/testing';
import type { Connection } from 'mongoose';
import { CustomerDirectory } from './customer-directory';
import { MERGE_LOCK_LEASE_MS, MERGE_LOCKS_COLLECTION } from './customer-merger';
import { IdentityModule } from './identity.module';
import { MAX_MERGE_DEPTH } from './merge-chain';
import type { SenderRef } from './sender-resolver';

const COLLECTIONS = [
  'customers',
  'identities',
  'customer_keys',
  'customer_merges',
  'customer_merge_suggestions',
];
const AT = new Date('2025-03-10T12:00:00.000Z');

const later = (minutes: number): Date => new Date(AT.getTime() + minutes * 60_000);

describe(CustomerDirectory.name, () => {
  let moduleRef: TestingModule;
  let connection: Connection;
  let sut: CustomerDirectory;
  let tenantId: string;

  const buildSender = (overrides: Partial<SenderRef> = {}): SenderRef => ({
    tenantId,
    channel: 'whatsapp',
    address: '551187654321@c.us',
    at: AT,
    ...overrides,
  });

  /** What the tenant has stored, per collection: read straight from the database, not through the code under test. */
  const storedCounts = async (): Promise<Record<string, number>> => {
    const counts = await Promise.all(
      COLLECTIONS.map(
        async (name) => [name, await connection.collection(name).countDocuments({ tenantId })] as const,
      ),
    );
    return Object.fromEntries(counts);
  };

  const newCustomer = async (overrides: Partial<SenderRef>): Promise<string> =>
    (await sut.resolveSender(buildSender(overrides))).customerId;

  beforeAll(async () => {
    const uri = testMongoUrl(uniqueName('identity'));
    moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRootAsync({ useFactory: () => ({ uri }) }), IdentityModule],
    }).compile();
    // Runs onModuleInit, which awaits Model.init(): the unique indexes exist before the first test.
    await moduleRef.init();
    sut = moduleRef.get(CustomerDirectory);
    connection = moduleRef.get<Connection>(getConnectionToken());
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await moduleRef?.close();
  });

  beforeEach(() => {
    tenantId = uniqueName('tenant');
  });

  describe('resolveSender', () => {
    it('should keep lastSeenAt to the minute: a burst writes nothing, a message a minute later moves it', async () => {
      const first = await sut.resolveSender(buildSender({ at: AT }));
      const lastSeen = async () =>
        (await connection.collection('identities').findOne({ _id: first.identityId as never }))?.[
          'lastSeenAt'
        ];

      await sut.resolveSender(buildSender({ at: new Date(AT.getTime() + 10_000) }));
      await sut.resolveSender(buildSender({ at: new Date(AT.getTime() + 59_000) }));
      expect(await lastSeen()).toEqual(AT);

      await sut.resolveSender(buildSender({ at: later(1) }));
      expect(await lastSeen()).toEqual(later(1));
      await sut.resolveSender(buildSender({ at: AT }));
      expect(await lastSeen()).toEqual(later(1));
    });

    it('should resolve a WhatsApp id, the same phone on SMS and WhatsApp again to one customer when the 9th digit differs', async () => {
      const first = await sut.resolveSender(
        buildSender({ address: '551187654321@c.us', displayName: 'Ana' }),
      );
      const sms = await sut.resolveSender(
        buildSender({ channel: 'sms', address: '+55 11 98765-4321', at: later(1) }),
      );
      const again = await sut.resolveSender(buildSender({ address: '5511987654321@c.us', at: later(2) }));

      expect([first.customerCreated, sms.customerCreated, again.customerCreated]).toEqual([
        true,
        false,
        false,
      ]);
      expect(sms.customerId).toBe(first.customerId);
      expect(again.customerId).toBe(first.customerId);
      expect(again.identityId).toBe(first.identityId);
      expect(sms.identityId).not.toBe(first.identityId);
      expect(await storedCounts()).toMatchObject({ customers: 1, identities: 2, customer_keys: 1 });
      expect(await sut.identitiesOf(tenantId, first.customerId)).toEqual([
        expect.objectContaining({
          channel: 'whatsapp',
          address: '+5511987654321',
          kind: 'phone',
          lastSeenAt: later(2),
        }),
        expect.objectContaining({
          channel: 'sms',
          address: '+5511987654321',
          kind: 'phone',
          lastSeenAt: later(1),
        }),
      ]);
    });

    it('should keep a WhatsApp @lid id a customer of its own when its digits are those of a known phone', async () => {
      const phone = await sut.resolveSender(buildSender({ address: '5511987654321@c.us' }));
      const lid = await sut.resolveSender(buildSender({ address: '5511987654321@lid' }));

      expect(lid.customerCreated).toBe(true);
      expect(lid.customerId).not.toBe(phone.customerId);
      expect(await sut.identitiesOf(tenantId, lid.customerId)).toEqual([
        expect.objectContaining({ channel: 'whatsapp', address: '5511987654321@lid', kind: 'whatsapp-lid' }),
      ]);
    });

    it('should keep one e-mail identity when addresses differ in spaces and domain case, and another for a different local part', async () => {
      const first = await sut.resolveSender(buildSender({ channel: 'email', address: 'Ana@Example.COM ' }));
      const same = await sut.resolveSender(buildSender({ channel: 'email', address: ' Ana@example.com' }));
      // The local part is case-sensitive by RFC 5321 (libs/identity keeps it): this is not proof of the same person.
      const other = await sut.resolveSender(buildSender({ channel: 'email', address: 'ana@example.com' }));

      expect(same).toMatchObject({
        identityId: first.identityId,
        customerId: first.customerId,
        customerCreated: false,
      });
      expect(other.identityId).not.toBe(first.identityId);
      expect(other.customerId).not.toBe(first.customerId);
      expect(await sut.identitiesOf(tenantId, first.customerId)).toEqual([
        expect.objectContaining({ channel: 'email', address: 'Ana@example.com', kind: 'email' }),
      ]);
    });

    it('should create exactly one customer when five first messages of a new contact race on SMS and WhatsApp', async () => {
      const senders = [
        buildSender({ channel: 'sms', address: '+5511987654321' }),
        buildSender({ channel: 'whatsapp', address: '551187654321@c.us' }),
        buildSender({ channel: 'sms', address: '+55 (11) 98765-4321' }),
        buildSender({ channel: 'whatsapp', address: '5511987654321@c.us' }),
        buildSender({ channel: 'whatsapp', address: 'whatsapp:+5511987654321' }),
      ];

      const results = await Promise.all(senders.map((sender) => sut.resolveSender(sender)));

      expect(new Set(results.map((result) => result.customerId)).size).toBe(1);
      expect(results.filter((result) => result.customerCreated)).toHaveLength(1);
      expect(await storedCounts()).toMatchObject({ customers: 1, identities: 2, customer_keys: 1 });
    });

    it('should reject an invalid address with a typed error and write nothing', async () => {
      const attempt = sut.resolveSender(buildSender({ channel: 'sms', address: 'not a phone' }));

      await expect(attempt).rejects.toMatchObject({
        name: 'IdentityResolutionError',
        code: 'INVALID_ADDRESS',
        channel: 'sms',
        address: 'not a phone',
      });
      expect(await storedCounts()).toEqual(Object.fromEntries(COLLECTIONS.map((name) => [name, 0])));
    });

    it('should keep tenants apart when two tenants see the same phone', async () => {
      const mine = await sut.resolveSender(buildSender());
      const theirs = await sut.resolveSender(buildSender({ tenantId: uniqueName('tenant') }));

      expect(theirs.customerCreated).toBe(true);
      expect(theirs.customerId).not.toBe(mine.customerId);
      await expect(sut.canonicalCustomerId(tenantId, theirs.customerId)).rejects.toMatchObject({
        code: 'UNKNOWN_CUSTOMER',
      });
    });

    it('should refuse a second identity document for the same tenant, channel and address at the database level', async () => {
      const resolved = await sut.resolveSender(buildSender());
      const stored = await connection
        .collection<{ _id: string }>('identities')
        .findOne({ _id: resolved.identityId });

      const copy = connection
        .collection<{ _id: string }>('identities')
        .insertOne({ ...stored, _id: 'another-id' });

      await expect(copy).rejects.toMatchObject({ code: 11000 });
    });
  });

  describe('resolveSenders', () => {
    it('should answer in input order and create a sender repeated in the batch once', async () => {
      const known = await sut.resolveSender(buildSender({ channel: 'telegram', address: '987654321' }));

      const results = await sut.resolveSenders([
        buildSender({ channel: 'webchat', address: 'visitor-1', at: later(1) }),
        buildSender({ channel: 'telegram', address: '987654321', at: later(2) }),
        buildSender({ channel: 'webchat', address: 'visitor-1', at: later(3) }),
        buildSender({ channel: 'sms', address: '+5511987654321', at: later(4) }),
        buildSender({ channel: 'whatsapp', address: '551187654321@c.us', at: later(5) }),
      ]);

      const [visitor, telegram, visitorAgain, sms, whatsapp] = results;
      expect(telegram).toEqual({
        customerId: known.customerId,
        identityId: known.identityId,
        customerCreated: false,
      });
      expect(visitor?.customerCreated).toBe(true);
      expect(visitorAgain).toEqual({ ...visitor, customerCreated: false });
      expect([sms?.customerCreated, whatsapp?.customerCreated]).toEqual([true, false]);
      expect(whatsapp?.customerId).toBe(sms?.customerId);
      expect(new Set(results.map((result) => result.customerId)).size).toBe(3);
      expect(await storedCounts()).toMatchObject({ customers: 3, identities: 4 });
      const [visitorIdentity] = await sut.identitiesOf(tenantId, visitor?.customerId ?? '');
      expect(visitorIdentity?.lastSeenAt).toEqual(later(3));
    });

    it('should reject the whole batch before writing when one address is invalid, naming its position', async () => {
      const attempt = sut.resolveSenders([
        buildSender({ channel: 'webchat', address: 'visitor-2' }),
        buildSender({ channel: 'email', address: 'maria@' }),
      ]);

      await expect(attempt).rejects.toMatchObject({
        code: 'INVALID_ADDRESS',
        senderIndex: 1,
        address: 'maria@',
      });
      expect(await storedCounts()).toMatchObject({ customers: 0, identities: 0, customer_keys: 0 });
    });
  });

  describe('merge and split', () => {
    const mergeInput = (
      sourceCustomerId: string,
      targetCustomerId: string,
      mergeId = uniqueName('merge'),
    ) => ({
      tenantId,
      mergeId,
      sourceCustomerId,
      targetCustomerId,
      by: 'agent-7',
      at: later(10),
    });

    it('should resolve the source identities to the target after a merge, with both customers in the group', async () => {
      const phone = await newCustomer({ channel: 'sms', address: '+5511987654321' });
      const email = await newCustomer({ channel: 'email', address: 'ana@example.com' });

      const result = await sut.merge(mergeInput(email, phone));
      const resolved = await sut.resolveSender(
        buildSender({ channel: 'email', address: 'ana@example.com', at: later(11) }),
      );

      expect(result).toMatchObject({
        status: 'merged',
        merge: { sourceCustomerId: email, targetCustomerId: phone },
      });
      expect(resolved).toMatchObject({ customerId: phone, customerCreated: false });
      expect(await sut.canonicalCustomerId(tenantId, email)).toBe(phone);
      expect(await sut.customerGroup(tenantId, email)).toEqual([phone, email]);
      expect((await sut.identitiesOf(tenantId, phone)).map((identity) => identity.channel).sort()).toEqual([
        'email',
        'sms',
      ]);
    });

    it('should restore the source customer when the merge is split', async () => {
      const phone = await newCustomer({ channel: 'sms', address: '+5511987654321' });
      const email = await newCustomer({ channel: 'email', address: 'ana@example.com' });
      const { merge } = await sut.merge(mergeInput(email, phone));

      const result = await sut.split({ tenantId, mergeId: merge.mergeId, by: 'agent-9', at: later(20) });
      const resolved = await sut.resolveSender(
        buildSender({ channel: 'email', address: 'ana@example.com', at: later(21) }),
      );

      expect(result).toMatchObject({ status: 'split', merge: { splitAt: later(20), splitBy: 'agent-9' } });
      expect(resolved.customerId).toBe(email);
      expect(await sut.customerGroup(tenantId, phone)).toEqual([phone]);
      expect((await sut.identitiesOf(tenantId, phone)).map((identity) => identity.channel)).toEqual(['sms']);
    });

    it('should report already-merged and already-split when the commands are replayed, keeping one record', async () => {
      const a = await newCustomer({ channel: 'webchat', address: 'visitor-a' });
      const b = await newCustomer({ channel: 'webchat', address: 'visitor-b' });
      const input = mergeInput(a, b);

      const merges = [await sut.merge(input), await sut.merge(input)];
      const splits = [
        await sut.split({ tenantId, mergeId: input.mergeId, by: 'agent-7', at: later(20) }),
        await sut.split({ tenantId, mergeId: input.mergeId, by: 'agent-8', at: later(30) }),
      ];
      const mergeAfterSplit = await sut.merge(input);

      expect(merges.map((result) => result.status)).toEqual(['merged', 'already-merged']);
      expect(splits.map((result) => result.status)).toEqual(['split', 'already-split']);
      expect(splits[1]?.merge).toMatchObject({ splitAt: later(20), splitBy: 'agent-7' });
      // A replayed merge command must not undo the agent's later split.
      expect(mergeAfterSplit.status).toBe('already-merged');
      expect(await sut.canonicalCustomerId(tenantId, a)).toBe(a);
      expect(await storedCounts()).toMatchObject({ customer_merges: 1 });
    });

    it('should merge into the canonical customer when the target is itself merged, and keep inner merges on a split', async () => {
      const a = await newCustomer({ channel: 'webchat', address: 'visitor-a' });
      const b = await newCustomer({ channel: 'webchat', address: 'visitor-b' });
      const c = await newCustomer({ channel: 'webchat', address: 'visitor-c' });
      const inner = await sut.merge(mergeInput(a, b));

      const outer = await sut.merge(mergeInput(c, a));
      const grouped = await sut.customerGroup(tenantId, c);
      await sut.split({ tenantId, mergeId: inner.merge.mergeId, by: 'agent-7', at: later(20) });

      expect(outer.merge).toMatchObject({
        sourceCustomerId: c,
        targetCustomerId: b,
        requestedTargetCustomerId: a,
      });
      expect(grouped).toEqual([b, ...[a, c].sort()]);
      expect(await sut.customerGroup(tenantId, a)).toEqual([a]);
      expect(await sut.customerGroup(tenantId, b)).toEqual([b, c]);
    });

    it('should refuse to merge a customer into itself or into a customer merged into it, changing nothing', async () => {
      const a = await newCustomer({ channel: 'webchat', address: 'visitor-a' });
      const b = await newCustomer({ channel: 'webchat', address: 'visitor-b' });
      await sut.merge(mergeInput(a, b));
      const before = await storedCounts();

      await expect(sut.merge(mergeInput(b, b))).rejects.toMatchObject({ code: 'MERGE_INTO_SELF' });
      await expect(sut.merge(mergeInput(b, a))).rejects.toMatchObject({ code: 'MERGE_INTO_SELF' });
      expect(await storedCounts()).toEqual(before);
      expect(await sut.customerGroup(tenantId, a)).toEqual([b, a]);
    });

    it('should refuse unknown customers, unknown merges and a reused merge id with typed errors', async () => {
      const a = await newCustomer({ channel: 'webchat', address: 'visitor-a' });
      const b = await newCustomer({ channel: 'webchat', address: 'visitor-b' });
      const c = await newCustomer({ channel: 'webchat', address: 'visitor-c' });
      const { merge } = await sut.merge(mergeInput(a, b));

      await expect(sut.merge(mergeInput(a, 'no-such-customer'))).rejects.toMatchObject({
        name: 'UnknownCustomerError',
        code: 'UNKNOWN_CUSTOMER',
      });
      await expect(
        sut.split({ tenantId, mergeId: 'no-such-merge', by: 'agent-7', at: AT }),
      ).rejects.toMatchObject({
        name: 'UnknownMergeError',
        code: 'UNKNOWN_MERGE',
      });
      await expect(sut.merge(mergeInput(c, b, merge.mergeId))).rejects.toMatchObject({
        code: 'MERGE_ID_CONFLICT',
      });
      expect(await sut.canonicalCustomerId(tenantId, c)).toBe(c);
      expect(await storedCounts()).toMatchObject({ customer_merges: 1 });
    });

    it('should refuse with MERGE_TOO_DEEP a merge that would nest merges deeper than the lookups follow', async () => {
      const customers: string[] = [];
      for (let index = 0; index <= MAX_MERGE_DEPTH + 1; index += 1) {
        customers.push(await newCustomer({ channel: 'webchat', address: `visitor-${index}` }));
      }
      // Each merge moves the whole nested group one level further down.
      for (let index = 0; index < MAX_MERGE_DEPTH; index += 1) {
        await sut.merge(mergeInput(customers[index]!, customers[index + 1]!));
      }

      const deeper = sut.merge(mergeInput(customers[MAX_MERGE_DEPTH]!, customers[MAX_MERGE_DEPTH + 1]!));

      await expect(deeper).rejects.toMatchObject({ name: 'MergeRejectedError', code: 'MERGE_TOO_DEEP' });
      expect(await sut.canonicalCustomerId(tenantId, customers[0]!)).toBe(customers[MAX_MERGE_DEPTH]);
      expect(await sut.customerGroup(tenantId, customers[0]!)).toHaveLength(MAX_MERGE_DEPTH + 1);
    });

    it('should refuse a merge while another command holds a customer, and take over the lock of a crashed one', async () => {
      const a = await newCustomer({ channel: 'webchat', address: 'visitor-held' });
      const b = await newCustomer({ channel: 'webchat', address: 'visitor-free' });
      const locks = connection.collection<{ _id: string; token: string; claimedAt: Date }>(
        MERGE_LOCKS_COLLECTION,
      );
      await locks.insertOne({ _id: `${tenantId}|${a}`, token: 'live-holder', claimedAt: new Date() });

      await expect(sut.merge(mergeInput(a, b))).rejects.toMatchObject({ code: 'MERGE_CONFLICT' });
      expect(await sut.canonicalCustomerId(tenantId, a)).toBe(a);
      expect(await storedCounts()).toMatchObject({ customer_merges: 0 });

      // The holder crashed long ago: its lease is over.
      await locks.updateOne(
        { _id: `${tenantId}|${a}` },
        { $set: { claimedAt: new Date(Date.now() - 2 * MERGE_LOCK_LEASE_MS) } },
      );
      await expect(sut.merge(mergeInput(a, b))).resolves.toMatchObject({ status: 'merged' });
      expect(await sut.canonicalCustomerId(tenantId, a)).toBe(b);
      expect(await locks.countDocuments({ _id: { $in: [`${tenantId}|${a}`, `${tenantId}|${b}`] } })).toBe(0);
    });

    it('should never leave customers merged into each other when two merges in opposite directions race', async () => {
      const a = await newCustomer({ channel: 'webchat', address: 'visitor-a' });
      const b = await newCustomer({ channel: 'webchat', address: 'visitor-b' });

      const outcomes = await Promise.allSettled([sut.merge(mergeInput(a, b)), sut.merge(mergeInput(b, a))]);

      const merged = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const failed = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(merged.length).toBeLessThanOrEqual(1);
      expect(failed.every((error) => ['MERGE_CONFLICT', 'MERGE_INTO_SELF'].includes(error.code))).toBe(true);
      const pointers = await connection
        .collection<{ _id: string; mergedInto: string | null }>('customers')
        .find({ tenantId })
        .toArray();
      expect(pointers.filter((customer) => customer.mergedInto !== null)).toHaveLength(merged.length);
      expect(await storedCounts()).toMatchObject({ customer_merges: merged.length });
    });
  });

  describe('merge suggestions', () => {
    it('should suggest, once and without merging, the WhatsApp customer with the same name when a new e-mail customer writes', async () => {
      const whatsapp = await sut.resolveSender(buildSender({ displayName: 'Ána Souza' }));

      const email = await sut.resolveSender(
        buildSender({ channel: 'email', address: 'ana.souza@example.com', displayName: '  ANA  SOUZA ' }),
      );
      const emailAgain = await sut.resolveSender(
        buildSender({
          channel: 'email',
          address: 'ana.souza@example.com',
          displayName: 'Ana Souza',
          at: later(1),
        }),
      );

      expect(email.customerCreated).toBe(true);
      expect(email.customerId).not.toBe(whatsapp.customerId);
      expect(email.mergeSuggestion).toEqual({
        candidateCustomerId: whatsapp.customerId,
        reason: expect.stringContaining('whatsapp'),
      });
      expect(emailAgain.mergeSuggestion).toBeUndefined();
      expect(await sut.canonicalCustomerId(tenantId, email.customerId)).toBe(email.customerId);
      expect(await storedCounts()).toMatchObject({
        customers: 2,
        customer_merges: 0,
        customer_merge_suggestions: 1,
      });
    });

    it('should not suggest when the shared display name is a single word', async () => {
      await sut.resolveSender(buildSender({ displayName: 'Ana' }));

      const email = await sut.resolveSender(
        buildSender({ channel: 'email', address: 'ana@example.com', displayName: 'Ana' }),
      );

      expect(email.customerCreated).toBe(true);
      expect(email.mergeSuggestion).toBeUndefined();
      expect(await storedCounts()).toMatchObject({ customer_merge_suggestions: 0 });
    });
  });

  describe('suggestForClaim', () => {
    it("should suggest, once, merging a visitor who claims another customer's e-mail, and link nothing", async () => {
      const owner = await newCustomer({ channel: 'email', address: 'ana@example.com' });
      const visitor = await newCustomer({ channel: 'webchat', address: 'visitor-claims' });
      const claim = {
        tenantId,
        customerId: visitor,
        channel: 'email' as const,
        address: ' ana@Example.COM',
        at: later(1),
      };

      const first = await sut.suggestForClaim(claim);
      const again = await sut.suggestForClaim(claim);

      expect(first).toEqual({
        candidateCustomerId: owner,
        reason: expect.stringMatching(/ana@example.com .*not verified/),
      });
      expect(again).toBeUndefined();
      expect((await sut.identitiesOf(tenantId, visitor)).map((identity) => identity.channel)).toEqual([
        'webchat',
      ]);
      expect(await sut.canonicalCustomerId(tenantId, visitor)).toBe(visitor);
      expect(await storedCounts()).toMatchObject({ customer_merge_suggestions: 1 });
    });

    it('should answer the suggestion again to the cause that raised it (a replay), and only to it', async () => {
      const owner = await newCustomer({ channel: 'email', address: 'bia@example.com' });
      const visitor = await newCustomer({ channel: 'webchat', address: 'visitor-replays' });
      const claim = {
        tenantId,
        customerId: visitor,
        channel: 'email' as const,
        address: 'bia@example.com',
        at: later(1),
        causeId: 'message-1#0',
      };

      const first = await sut.suggestForClaim(claim);
      const replayed = await sut.suggestForClaim(claim);
      const nextMessage = await sut.suggestForClaim({ ...claim, causeId: 'message-2#0' });

      expect(first).toMatchObject({ candidateCustomerId: owner });
      expect(replayed).toEqual(first);
      expect(nextMessage).toBeUndefined();
      expect(await storedCounts()).toMatchObject({ customer_merge_suggestions: 1 });
    });

    it('should suggest nothing for an address nobody has, an invalid one, or one of the claimer itself', async () => {
      const visitor = await newCustomer({ channel: 'webchat', address: 'visitor-own' });
      const own = await sut.resolveSender(buildSender({ channel: 'sms', address: '+5511912345678' }));

      const nobody = await sut.suggestForClaim({
        tenantId,
        customerId: visitor,
        channel: 'email',
        address: 'x@y.example',
        at: AT,
      });
      const invalid = await sut.suggestForClaim({
        tenantId,
        customerId: visitor,
        channel: 'sms',
        address: 'call me',
        at: AT,
      });
      const itself = await sut.suggestForClaim({
        tenantId,
        customerId: own.customerId,
        channel: 'sms',
        address: '+55 11 91234-5678',
        at: AT,
      });

      expect([nobody, invalid, itself]).toEqual([undefined, undefined, undefined]);
      expect(await storedCounts()).toMatchObject({ customer_merge_suggestions: 0 });
    });
  });

  describe('linkVerifiedIdentity', () => {
    it('should attach a verified e-mail to the web-chat customer so later e-mails from it join that customer', async () => {
      const visitor = await newCustomer({ channel: 'webchat', address: 'visitor-7f3a9c' });

      const link = await sut.linkVerifiedIdentity({
        tenantId,
        customerId: visitor,
        channel: 'email',
        address: 'Ana@Example.com',
        evidence: 'verified-webchat',
        at: later(1),
      });
      const linked = await sut.identitiesOf(tenantId, visitor);
      const email = await sut.resolveSender(
        buildSender({ channel: 'email', address: 'Ana@example.COM', at: later(2) }),
      );

      expect(link).toMatchObject({ status: 'linked', customerId: visitor });
      // Not written from yet: it sorts by the time it was linked.
      expect(linked.map((identity) => [identity.channel, identity.lastSeenAt])).toEqual([
        ['email', later(1)],
        ['webchat', AT],
      ]);
      expect(email).toMatchObject({
        customerId: visitor,
        identityId: link.identityId,
        customerCreated: false,
      });
      expect(await storedCounts()).toMatchObject({ customers: 1, identities: 2 });
    });

    it('should report a conflict and move nothing when the address already belongs to another customer', async () => {
      const phone = await newCustomer({ channel: 'sms', address: '+5511987654321' });
      const email = await newCustomer({ channel: 'email', address: 'ana@example.com' });
      const before = await storedCounts();

      const link = await sut.linkVerifiedIdentity({
        tenantId,
        customerId: phone,
        channel: 'email',
        address: 'ana@example.com',
        evidence: 'agent',
        by: 'agent-7',
        at: later(1),
      });

      expect(link).toMatchObject({ status: 'conflict', customerId: phone, existingCustomerId: email });
      expect(await storedCounts()).toEqual(before);
      expect(
        (await sut.resolveSender(buildSender({ channel: 'email', address: 'ana@example.com' }))).customerId,
      ).toBe(email);
    });

    it('should report already-linked when the address belongs to the same customer through a merge', async () => {
      const phone = await newCustomer({ channel: 'sms', address: '+5511987654321' });
      const email = await newCustomer({ channel: 'email', address: 'ana@example.com' });
      await sut.merge({
        tenantId,
        mergeId: uniqueName('merge'),
        sourceCustomerId: email,
        targetCustomerId: phone,
        by: 'agent-7',
        at: AT,
      });

      const link = await sut.linkVerifiedIdentity({
        tenantId,
        customerId: phone,
        channel: 'email',
        address: 'ana@example.com',
        evidence: 'agent',
        by: 'agent-7',
        at: later(1),
      });

      expect(link).toMatchObject({ status: 'already-linked', customerId: phone });
    });

    it('should refuse an unknown customer and an invalid address with typed errors, writing nothing', async () => {
      const link = (customerId: string, address: string) =>
        sut.linkVerifiedIdentity({
          tenantId,
          customerId,
          channel: 'email',
          address,
          evidence: 'agent',
          by: 'agent-7',
          at: AT,
        });

      await expect(link('no-such-customer', 'ana@example.com')).rejects.toMatchObject({
        code: 'UNKNOWN_CUSTOMER',
      });
      await expect(link('no-such-customer', 'ana@')).rejects.toMatchObject({ code: 'INVALID_ADDRESS' });
      expect(await storedCounts()).toEqual(Object.fromEntries(COLLECTIONS.map((name) => [name, 0])));
    });
  });
});
