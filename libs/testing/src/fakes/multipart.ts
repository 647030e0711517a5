/** One part of a `multipart/form-data` body (RFC 7578). */
export interface MultipartPart {
  name: string;
  /** Present for a file part (even when empty). */
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * Parses a `multipart/form-data` body the strict way: the boundary from the header, `--boundary` CRLF before each
 * part, headers up to an empty line, the bytes up to CRLF `--boundary`, `--boundary--` at the end. Names and file
 * names are read as UTF-8 with the escapes of the HTML form encoding (`%22`, `%0D`, `%0A`), or from `filename*`.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] {
  const boundaryMatch = /^multipart\/form-data\s*;(?:[^;]*;)*\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(
    contentType ?? '',
  );
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2];
  if (!boundary) throw new Error('The body is not multipart/form-data with a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  if (body.indexOf(delimiter) !== 0) throw new Error('The multipart body does not start with its boundary');
  const parts: MultipartPart[] = [];
  let position = delimiter.length;
  for (;;) {
    const after = body.subarray(position, position + 2).toString('latin1');
    if (after === '--') return parts;
    if (after !== '\r\n') throw new Error('A multipart boundary is not followed by CRLF');
    const headersEnd = body.indexOf('\r\n\r\n', position + 2);
    if (headersEnd < 0) throw new Error('A multipart part has no end of headers');
    const headers = new Map(
      body
        .subarray(position + 2, headersEnd)
        .toString('utf8')
        .split('\r\n')
        .map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
        }),
    );
    const end = body.indexOf(nextDelimiter, headersEnd + 4);
    if (end < 0) throw new Error('A multipart part is not terminated by its boundary');
    const disposition = headers.get('content-disposition') ?? '';
    if (!/^form-data\s*(;|$)/i.test(disposition)) throw new Error('A part is not form-data');
    const parameters = dispositionParameters(disposition);
    const name = parameters.get('name');
    if (name === undefined) throw new Error('A multipart part has no name');
    const fileName = parameters.get('filename*') ?? parameters.get('filename');
    const partType = headers.get('content-type');
    parts.push({
      name,
      data: body.subarray(headersEnd + 4, end),
      ...(fileName === undefined ? {} : { fileName }),
      ...(partType ? { contentType: partType } : {}),
    });
    position = end + nextDelimiter.length;
  }
}

function dispositionParameters(disposition: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const match of disposition.matchAll(/;\s*([A-Za-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/g)) {
    const key = (match[1] ?? '').toLowerCase();
    if (match[2] !== undefined) {
      parameters.set(
        key,
        match[2].replace(/\\(.)/g, '$1').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n'),
      );
    } else if (key.endsWith('*')) {
      // RFC 5987: charset'language'percent-encoded
      parameters.set(key, decodeURIComponent((match[3] ?? '').replace(/^[^']*'[^']*'/, '')));
    } else {
      parameters.set(key, match[3] ?? '');
    }
  }
  return parameters;
}
