import { hubSignature } from '@ponte/channel-kit';
import { FakeGraphSendServer, type ServiceProcess } from '@ponte/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { RouterE2e } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';

const APP_SECRET = randomBytes(16).toString('hex');
/** Our Facebook Page (Messenger) and Instagram professional account: the channelAccountIds, with their tokens. */
const PAGE = { id: '104857600123456', accessToken: `EAAG${randomBytes(24).toString('base64url')}` } as const;
const INSTAGRAM = {
  id: '17841400123456789',
  accessToken: `IGAA${randomBytes(24).toString('base64url')}`,
} as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/*
 * Issue 7, "What it must show", the Messenger and Instagram parts that need the router: signed Meta webhooks posted to
 * the real social service, through Kafka, into the real router's timeline; an Instagram echo of the business's own
 * reply not becoming an inbound message; a reply outside Meta's messaging window reaching the timeline as `failed`.
 *
 * One partition per topic: a later message of the same customer that reached the router proves the earlier events
 * were handled too.
 */
describe('Messenger and Instagram → router (social and router services as processes)', () => {
  const group = new ServiceGroup('social', { partitions: 1 });
  let graph: FakeGraphSendServer | undefined;
  let router: RouterE2e | undefined;
  let social: ServiceProcess;
  let nextCustomerId = 6_200_000_000_000_000 + Math.floor(Math.random() * 1_000_000_000);

  beforeAll(async () => {
    graph = await FakeGraphSendServer.start([PAGE, INSTAGRAM]);
    router = await RouterE2e.start(group, { messenger: PAGE.id, instagram: INSTAGRAM.id });
    social = await group.start('social', {
      MONGO_URL: group.databaseUrl('social'),
      SOCIAL_TENANT_ID: TENANT,
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: `verify-${randomBytes(8).toString('hex')}`,
      META_PAGES: JSON.stringify([PAGE]),
      META_INSTAGRAM_ACCOUNTS: JSON.stringify([INSTAGRAM]),
      META_GRAPH_BASE_URL: graph.url,
      META_INSTAGRAM_GRAPH_BASE_URL: graph.url,
      META_MEDIA_ALLOWED_ORIGINS: graph.url,
      META_SEND_INITIAL_BACKOFF_MS: '50',
      META_SEND_MAX_BACKOFF_MS: '200',
    });
  }, 90_000);

  afterAll(async () => {
    await group.stop();
    await router?.stop();
    await graph?.stop();
  });

  /** A fresh PSID / IGSID (Meta's page-scoped ids are 16-17 digits): a customer and conversation per test. */
  function customerId(): string {
    return String(nextCustomerId++);
  }

  function messengerMid(): string {
    return `m_${randomBytes(30).toString('base64url')}`;
  }

  function instagramMid(): string {
    return `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx${randomBytes(24).toString('base64url')}`;
  }

  /**
   * A webhook as Meta documents it (Messenger Platform "messages" and "message_echoes", Instagram "messages"):
   * `object`, `entry[].id/time/messaging[]`, millisecond timestamps.
   */
  function webhook(object: 'page' | 'instagram', accountId: string, event: JsonObject): JsonObject {
    return { object, entry: [{ id: accountId, time: Date.now(), messaging: [event] }] };
  }

  /** A customer's text message to the account, sent at `timestamp` (Meta's clock, ms). */
  function messageEvent(accountId: string, from: string, mid: string, text: string, timestamp = Date.now()) {
    return { sender: { id: from }, recipient: { id: accountId }, timestamp, message: { mid, text } };
  }

  /** The business's own message echoed back: sender and recipient swapped, `is_echo`. */
  function echoEvent(accountId: string, to: string, mid: string, text: string): JsonObject {
    return {
      sender: { id: accountId },
      recipient: { id: to },
      timestamp: Date.now(),
      message: { mid, text, is_echo: true, app_id: 1517776481860111 },
    };
  }

  /** POSTs a webhook as Meta does: JSON, `X-Hub-Signature-256` over the exact bytes. Returns the status. */
  async function post(payload: JsonObject): Promise<number> {
    const body = JSON.stringify(payload);
    const response = await fetch(`${social.url}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(APP_SECRET, body) },
      body,
    });
    await response.text();
    return response.status;
  }

  it('should end as one message in the router timeline when a signed Messenger message arrives and is redelivered 3 times', async () => {
    const from = customerId();
    const mid = messengerMid();
    const payload = webhook(
      'page',
      PAGE.id,
      messageEvent(PAGE.id, from, mid, 'Oi, meu cartão foi recusado 💳'),
    );

    expect(await post(payload)).toBe(200);
    for (let redelivery = 0; redelivery < 3; redelivery++) expect(await post(payload)).toBe(200);
    // A later message of the same customer: once the router shows it, every copy of the first one was handled.
    const sentinelMid = messengerMid();
    const sentinelText = `sentinel ${randomUUID()}`;
    expect(await post(webhook('page', PAGE.id, messageEvent(PAGE.id, from, sentinelMid, sentinelText)))).toBe(
      200,
    );
    const last = await router!.incoming('messenger', sentinelMid);

    const [first] = await router!.messages({ externalId: mid });
    expect(first).toMatchObject({
      channel: 'messenger',
      channelAccountId: PAGE.id,
      direction: 'incoming',
      conversationId: last.conversationId,
      content: { text: 'Oi, meu cartão foi recusado 💳' },
    });
    expect(await router!.identities({ customerId: last.customerId })).toEqual([
      expect.objectContaining({ channel: 'messenger', address: from }),
    ]);
    const timeline = await router!.timeline(last.conversationId);
    expect(timeline.map((message) => [message.externalId, message.content.text])).toEqual([
      [mid, 'Oi, meu cartão foi recusado 💳'],
      [sentinelMid, sentinelText],
    ]);
  });

  it("should not make an inbound message of Instagram's echo of the business's reply", async () => {
    const from = customerId();
    const mid = instagramMid();
    expect(
      await post(
        webhook('instagram', INSTAGRAM.id, messageEvent(INSTAGRAM.id, from, mid, 'Tem na cor azul?')),
      ),
    ).toBe(200);
    const { conversationId } = await router!.incoming('instagram', mid);

    await router!.reply(conversationId, 'Temos sim! Tamanhos P e M.');
    const send = await group.waitFor(() => graph!.sendsTo(from).find((candidate) => candidate.messageId), {
      description: 'the Instagram reply at the fake Graph API',
    });
    expect(send).toMatchObject({
      accountId: INSTAGRAM.id,
      body: { recipient: { id: from }, message: { text: 'Temos sim! Tamanhos P e M.' } },
    });
    // Meta echoes the business's message to the account's webhook, then the customer writes again.
    expect(
      await post(
        webhook(
          'instagram',
          INSTAGRAM.id,
          echoEvent(INSTAGRAM.id, from, send.messageId!, 'Temos sim! Tamanhos P e M.'),
        ),
      ),
    ).toBe(200);
    const sentinelMid = instagramMid();
    expect(
      await post(
        webhook('instagram', INSTAGRAM.id, messageEvent(INSTAGRAM.id, from, sentinelMid, 'Obrigada!')),
      ),
    ).toBe(200);
    await router!.incoming('instagram', sentinelMid);

    const timeline = await router!.timeline(conversationId);
    expect(timeline.map((message) => [message.direction, message.content.text])).toEqual([
      ['incoming', 'Tem na cor azul?'],
      ['outgoing', 'Temos sim! Tamanhos P e M.'],
      ['incoming', 'Obrigada!'],
    ]);
    expect(await router!.messages({ externalId: send.messageId!, direction: 'incoming' })).toEqual([]);
  });

  it('should show the reply failed with PONTE_OUTSIDE_MESSAGING_WINDOW when the customer last wrote over 7 days ago', async () => {
    const from = customerId();
    const mid = messengerMid();
    // Meta's timestamp of the message is what the service's window store records: 8 days ago.
    const eightDaysAgo = Date.now() - 8 * DAY_MS;
    expect(
      await post(
        webhook('page', PAGE.id, messageEvent(PAGE.id, from, mid, 'Preciso da segunda via', eightDaysAgo)),
      ),
    ).toBe(200);
    const { conversationId } = await router!.incoming('messenger', mid);

    await router!.reply(conversationId, 'Segue a segunda via em anexo.');
    const { _id } = await router!.outgoing(conversationId, 'Segue a segunda via em anexo.');

    const failed = await group.waitFor(
      async () => (await router!.messages({ _id, deliveryState: 'failed' }))[0],
      { description: 'the reply marked failed in the router' },
    );
    expect(failed.providerError).toEqual({
      code: 'PONTE_OUTSIDE_MESSAGING_WINDOW',
      message: expect.stringContaining('more than 7 days ago'),
    });
    // Refused before calling Graph: the failure reached the router after the decision, so nothing was sent.
    expect(graph!.sendsTo(from)).toEqual([]);
  });
});

type JsonObject = Record<string, unknown>;
