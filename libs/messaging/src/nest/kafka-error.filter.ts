import { Catch, HttpException, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter replaces any error with "Internal server error", which would leave the DLQ without
 * a reason. Bind this filter to the Kafka transport so the real error (a pipe's validation messages included)
 * reaches the consumer and its DLQ headers.
 */
@Catch()
export class KafkaErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    if (exception instanceof HttpException) {
      const error = new Error(JSON.stringify(exception.getResponse()));
      error.name = exception.name;
      return throwError(() => error);
    }
    return throwError(() => exception);
  }
}
