// Regenerates fixtures/ponte.inbound.message.v1/webchat-long-text.valid.json: a web-chat message whose text is
// exactly 64 KiB of UTF-8, multi-byte characters included, to prove large texts pass the contract untouched.
// Run: node libs/contracts/scripts/generate-long-text-fixture.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TARGET_BYTES = 64 * 1024;
const sentence = 'Olá, não consigo acessar minha conta — é urgente! Já tentei redefinir a senha três vezes. ';

let text = '';
while (Buffer.byteLength(text + sentence) <= TARGET_BYTES) text += sentence;
text += '.'.repeat(TARGET_BYTES - Buffer.byteLength(text));

const envelope = {
  specversion: '1.0',
  id: '0195a1c2-7d3e-7000-8000-0000000fffff',
  source: '/ponte/gateway',
  type: 'ponte.inbound.message.v1',
  time: '2025-03-14T12:00:00.000Z',
  datacontenttype: 'application/json',
  tenantId: 'tenant-acme',
  data: {
    channel: 'webchat',
    channelAccountId: 'webchat-site-acme',
    externalId: 'webchat-msg-0001',
    from: { address: 'visitor-7f3a9c', displayName: 'Visitante' },
    to: [{ address: 'webchat-site-acme' }],
    receivedAt: '2025-03-14T12:00:00.000Z',
    content: { text },
  },
};

const file = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'ponte.inbound.message.v1',
  'webchat-long-text.valid.json',
);
writeFileSync(file, `${JSON.stringify(envelope, null, 2)}\n`);
console.log(`wrote ${file} (text: ${Buffer.byteLength(text)} bytes)`);
