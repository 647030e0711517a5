import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type CustomerWindow, CustomerWindows } from '@ponte/channel-kit';
import type { Connection } from 'mongoose';

interface WhatsAppWindowFields {
  phoneNumberId: string;
  /** The customer's WhatsApp id as Meta last wrote it: where replies are sent. */
  waId: string;
}

/** `_id`: `{phone number id}:{customer E.164}`. */
export type CustomerWindowDocument = CustomerWindow & WhatsAppWindowFields;

/**
 * When each customer last wrote to each of our numbers, so the sender can refuse free text outside WhatsApp's 24-hour
 * window before calling Meta.
 */
@Injectable()
export class CustomerWindowStore extends CustomerWindows<WhatsAppWindowFields> {
  constructor(@InjectConnection() connection: Connection) {
    super(connection, 'whatsapp_customer_windows');
  }

  recordInbound(phoneNumberId: string, customerPhone: string, waId: string, at: Date): Promise<void> {
    return this.record(windowId(phoneNumberId, customerPhone), at, { phoneNumberId, waId });
  }

  get(phoneNumberId: string, customerPhone: string): Promise<CustomerWindowDocument | null> {
    return this.find(windowId(phoneNumberId, customerPhone));
  }
}

export function windowId(phoneNumberId: string, customerPhone: string): string {
  return `${phoneNumberId}:${customerPhone}`;
}
