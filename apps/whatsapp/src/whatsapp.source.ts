/** The CloudEvents `source` of everything this service publishes. */
export const WHATSAPP_SOURCE = '/ponte/whatsapp';
