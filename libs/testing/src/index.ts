export { waitFor, WaitForTimeoutError, type WaitForOptions, type NotYet } from './wait-for';
export { uniqueName } from './unique-name';
export { testKafkaBrokers, testMongoUrl } from './test-servers';
export { ServiceProcess, type ServiceProcessOptions } from './service-process';
// Tests that need a server of their own (to stop it, for instance) start one like the global setup does.
export { startLocalInfra, type LocalInfra } from '@ponte/local-infra';
// Real Dovecot (IMAP) for the e-mail tests, from the tooling lib that starts the other real servers.
export { DovecotServer, type DovecotServerOptions, type DovecotUser } from '@ponte/local-infra';
export { SmtpTestServer, type ReceivedMail, type ScriptedSmtpRefusal } from './mail/smtp-test.server';
// Stand-ins for outside APIs, shared by the services' own tests and the cross-service e2e tests.
export { FakeHttpServer, readRequestBody, sendJson } from './fakes/fake-http.server';
export { parseMultipart, type MultipartPart } from './fakes/multipart';
export {
  FakeTwilioServer,
  twilioError,
  type RecordedTwilioSend,
  type ScriptedTwilioReply,
  type TwilioMediaRoute,
} from './fakes/twilio/fake-twilio.server';
export {
  TwilioAccount,
  signTwilioWebhook,
  twilioMessageSid,
  type TwilioAccountOptions,
  type TwilioWebhookOptions,
  type TwilioWebhookResponse,
} from './fakes/twilio/twilio-account';
export {
  BotApiErrors,
  FakeBotApiServer,
  type BotApiError,
  type FakeTelegramBot,
  type RecordedBotApiCall,
  type RecordedBotApiUpload,
} from './fakes/telegram/fake-bot-api.server';
export {
  FakeGraphSendServer,
  GraphSendErrors,
  graphSendError,
  type GraphSendError,
  type RecordedGraphSend,
} from './fakes/meta/fake-graph-send.server';
