/** The CloudEvents `source` of everything this service publishes. */
export const TELEGRAM_SOURCE = '/ponte/telegram';
