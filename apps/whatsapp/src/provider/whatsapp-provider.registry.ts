import { WhatsAppProvider } from './whatsapp-provider.port';

/** WhatsApp through Twilio (`whatsapp:+E164` senders) is apps/sms's; this service skips those accounts. */
export function isTwilioAccount(channelAccountId: string): boolean {
  return channelAccountId.toLowerCase().startsWith('whatsapp:');
}

/** The configured providers; an account belongs to the first that handles it. Built by WhatsappModule. */
export class WhatsAppProviderRegistry {
  constructor(private readonly providers: readonly WhatsAppProvider[]) {}

  get configured(): boolean {
    return this.providers.length > 0;
  }

  providerFor(channelAccountId: string): WhatsAppProvider | undefined {
    return this.providers.find((provider) => provider.handles(channelAccountId));
  }
}
