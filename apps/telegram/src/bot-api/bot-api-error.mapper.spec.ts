import { SendFailure } from '@ponte/channel-kit';
import { TelegramError } from 'telegraf';
import { FloodWaitFailure } from '../outbound/telegram-provider.port';
import { classifyBotApiError, sendFailureOf } from './bot-api-error.mapper';

const MAX_RETRY_AFTER = 60;

describe(sendFailureOf.name, () => {
  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'TELEGRAM_BOT_BLOCKED'],
    [403, 'Forbidden: user is deactivated', 'TELEGRAM_USER_DEACTIVATED'],
    [403, "Forbidden: bot can't initiate conversation with a user", 'TELEGRAM_CANNOT_INITIATE'],
    [403, 'Forbidden: bot was kicked from the supergroup chat', 'TELEGRAM_BOT_NOT_IN_CHAT'],
    [403, 'Forbidden: bot is not a member of the group chat', 'TELEGRAM_BOT_NOT_IN_CHAT'],
    [403, 'Forbidden: not enough rights to send text messages to the chat', 'TELEGRAM_FORBIDDEN'],
    [400, 'Bad Request: chat not found', 'TELEGRAM_CHAT_NOT_FOUND'],
    [400, 'Bad Request: message is too long', 'TELEGRAM_BAD_REQUEST'],
    [401, 'Unauthorized', 'TELEGRAM_UNAUTHORIZED'],
    [404, 'Not Found', 'TELEGRAM_404'],
  ])('should make %i "%s" a permanent %s', (errorCode, description, code) => {
    const sut = sendFailureOf({ error_code: errorCode, description }, MAX_RETRY_AFTER);

    expect(sut).toMatchObject({ kind: 'permanent', code, httpStatus: errorCode });
    expect(sut.message).toContain(`(${errorCode} ${description})`);
  });

  it('should name the supergroup a group became', () => {
    const sut = sendFailureOf(
      {
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: -1001234567890 },
      },
      MAX_RETRY_AFTER,
    );

    expect(sut).toMatchObject({ code: 'TELEGRAM_CHAT_MIGRATED', kind: 'permanent' });
    expect(sut.message).toMatch(/with chat id -1001234567890/);
  });

  it('should make a 429 a flood wait of retry_after seconds', () => {
    const sut = sendFailureOf(
      { error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } },
      MAX_RETRY_AFTER,
    );

    expect(sut).toBeInstanceOf(FloodWaitFailure);
    expect(sut).toMatchObject({ kind: 'retryable', code: '429', retryAfterMs: 7_000 });
  });

  it('should fail for good when a 429 asks for a longer wait than the service waits', () => {
    const sut = sendFailureOf(
      {
        error_code: 429,
        description: 'Too Many Requests: retry after 300',
        parameters: { retry_after: 300 },
      },
      MAX_RETRY_AFTER,
    );

    expect(sut).not.toBeInstanceOf(FloodWaitFailure);
    expect(sut).toMatchObject({ kind: 'permanent', code: 'TELEGRAM_FLOOD_WAIT' });
  });

  it('should retry a 5xx', () => {
    expect(sendFailureOf({ error_code: 502, description: 'Bad Gateway' }, MAX_RETRY_AFTER)).toMatchObject({
      kind: 'retryable',
      code: 'TELEGRAM_502',
    });
  });
});

describe(classifyBotApiError.name, () => {
  it('should read telegraf’s TelegramError', () => {
    const error = new TelegramError({
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });

    expect(classifyBotApiError(error, MAX_RETRY_AFTER)).toMatchObject({ code: 'TELEGRAM_BOT_BLOCKED' });
  });

  it('should retry when the request never left, and call a lost answer uncertain', () => {
    const refused = Object.assign(new Error('request to http://127.0.0.1:1/bot… failed'), {
      name: 'FetchError',
      code: 'ECONNREFUSED',
    });
    const reset = Object.assign(new Error('socket hang up'), { name: 'FetchError', code: 'ECONNRESET' });
    const timeout = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });

    expect(classifyBotApiError(refused, MAX_RETRY_AFTER)).toMatchObject({
      kind: 'retryable',
      code: 'PONTE_NETWORK_ECONNREFUSED',
    });
    expect(classifyBotApiError(reset, MAX_RETRY_AFTER)).toMatchObject({
      kind: 'uncertain',
      code: 'PONTE_SEND_UNCERTAIN',
    });
    expect(classifyBotApiError(timeout, MAX_RETRY_AFTER)).toMatchObject({ kind: 'uncertain' });
  });

  it('should pass a SendFailure through', () => {
    const failure = new SendFailure('permanent', 'X', 'x');

    expect(classifyBotApiError(failure, MAX_RETRY_AFTER)).toBe(failure);
  });
});
