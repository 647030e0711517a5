import { SendFailure } from '@ponte/channel-kit';
import { type Telegraf, TelegramError } from 'telegraf';
import type { File, Opts, Telegram as BotApiMethods } from 'telegraf/types';

/** telegraf types its signal with the abort-controller polyfill's class; node-fetch takes Node's own. */
type TelegrafSignal = NonNullable<Parameters<Telegraf['telegram']['callApi']>[2]>['signal'];

/**
 * One Bot API call through the bot's telegraf client, bounded by `timeoutMs` (telegraf's own timeout is minutes) and
 * cancelled by `cancel`. Throws what telegraf throws: TelegramError for Telegram's answers, FetchError/AbortError for
 * the network.
 */
export function callBotApi<M extends keyof BotApiMethods>(
  telegraf: Telegraf,
  method: M,
  payload: Opts<M>,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<ReturnType<BotApiMethods[M]>> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
  return telegraf.telegram.callApi(method, payload, { signal: signal as unknown as TelegrafSignal });
}

/**
 * getFile (https://core.telegram.org/bots/api#getfile): the path to download a received file from. Telegram's refusal
 * (an unknown file id, a file over the 20 MB the Bot API serves) is permanent; a 429, 5xx or network failure is
 * retryable, and fails the update so that it is delivered again.
 */
export async function getFile(telegraf: Telegraf, fileId: string, timeoutMs: number): Promise<File> {
  try {
    return await callBotApi(telegraf, 'getFile', { file_id: fileId }, timeoutMs);
  } catch (error) {
    if (error instanceof TelegramError && error.code !== 429 && error.code < 500) {
      throw new SendFailure(
        'permanent',
        `TELEGRAM_${error.code}`,
        `Telegram: ${error.description}`,
        error.code,
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new SendFailure('retryable', 'PONTE_GET_FILE_FAILED', `getFile failed for now: ${detail}`);
  }
}
