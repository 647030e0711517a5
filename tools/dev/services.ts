/** The services `npm start` runs, with the port each listens on (also each service's own PORT default). */
export const SERVICES = [
  { name: 'gateway', port: 3000 },
  { name: 'router', port: 3001 },
  { name: 'sms', port: 3002 },
  { name: 'whatsapp', port: 3003 },
  { name: 'email-ingest', port: 3004 },
  { name: 'telegram', port: 3005 },
  { name: 'social', port: 3006 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];
