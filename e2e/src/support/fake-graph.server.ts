import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Meta's Graph API played by a local server, and Cloud API webhooks signed the way Meta signs them. A trimmed copy
 * of apps/whatsapp/src/testing/{fake-graph.server,meta-webhook.payloads}.ts and whatsapp.harness.ts (the e2e
 * project may not import an app's files): message sends only, no media.
 */

/** A `POST /{version}/{phone-number-id}/messages` as the fake received it. */
export interface RecordedGraphSend {
  phoneNumberId: string;
  body: Record<string, unknown>;
  authorized: boolean;
}

/** Answers sends like Graph: `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}`. */
export class FakeGraphServer {
  readonly sends: RecordedGraphSend[] = [];
  private readonly server: Server;
  private port = 0;

  private constructor(private readonly accessToken: string) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  static async start(accessToken: string): Promise<FakeGraphServer> {
    const fake = new FakeGraphServer(accessToken);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const send = /^\/(v\d+\.\d+)\/(\d+)\/messages$/.exec(path);
    if (request.method !== 'POST' || !send) {
      return json(response, 404, graphError(100, `Unknown path ${path}`, 'GraphMethodException'));
    }
    const authorized = request.headers.authorization === `Bearer ${this.accessToken}`;
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    this.sends.push({ phoneNumberId: send[2] ?? '', body, authorized });
    if (!authorized)
      return json(response, 401, graphError(190, 'Invalid OAuth access token.', 'OAuthException'));
    const to = String(body['to']);
    return json(response, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }],
      messages: [{ id: wamid() }],
    });
  }
}

/** The whatsapp service's Cloud API settings for a test, and Meta's side of the webhooks. */
export class MetaApp {
  readonly appSecret = randomBytes(16).toString('hex');
  readonly accessToken = `EAAG${randomBytes(24).toString('hex')}`;
  readonly verifyToken = `verify-${randomBytes(8).toString('hex')}`;
  /** Our number as Meta names it: the phone number id (the channelAccountId) and the display number. */
  readonly phoneNumberId = '106540352242922';
  readonly displayPhoneNumber = '5511999990000';

  env(graph: FakeGraphServer): Record<string, string> {
    return {
      WHATSAPP_CLOUD_APP_SECRET: this.appSecret,
      WHATSAPP_CLOUD_ACCESS_TOKEN: this.accessToken,
      WHATSAPP_CLOUD_VERIFY_TOKEN: this.verifyToken,
      WHATSAPP_CLOUD_PHONE_NUMBER_IDS: this.phoneNumberId,
      WHATSAPP_CLOUD_GRAPH_BASE_URL: graph.url,
      WHATSAPP_CLOUD_GRAPH_API_VERSION: 'v23.0',
      WHATSAPP_CLOUD_MEDIA_ALLOWED_ORIGINS: graph.url,
      WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS: '50',
      WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS: '200',
    };
  }

  /** POSTs a webhook the way Meta does: JSON, `X-Hub-Signature-256` over the exact bytes. Returns the status. */
  async webhook(serviceUrl: string, payload: unknown): Promise<number> {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', this.appSecret).update(body).digest('hex')}`;
    const response = await fetch(`${serviceUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    await response.text();
    return response.status;
  }

  /**
   * A `messages` webhook with one text message, exactly as the Cloud API documents it ("Text messages webhook
   * reference"): one entry, one change with its metadata, the sender's contact and the message.
   */
  textMessageWebhook(
    from: string,
    text: string,
    profileName: string,
  ): { payload: Record<string, unknown>; wamid: string } {
    const id = wamid();
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: this.displayPhoneNumber,
                  phone_number_id: this.phoneNumberId,
                },
                contacts: [{ profile: { name: profileName }, wa_id: from }],
                messages: [
                  {
                    from,
                    id,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: text },
                  },
                ],
              },
              field: 'messages',
            },
          ],
        },
      ],
    };
    return { payload, wamid: id };
  }
}

/** Shaped like Meta's message ids. */
export function wamid(): string {
  return `wamid.${Buffer.from(`HBgNNTUxMTk4NzY1NDMyMRUCABEYEj${randomBytes(12).toString('hex')}`).toString('base64')}`;
}

function graphError(code: number, message: string, type: string): Record<string, unknown> {
  return { error: { message, type, code, fbtrace_id: `A${randomBytes(10).toString('base64url')}` } };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
