import { Injectable } from '@nestjs/common';

/** Data-plane requests being served; a plain number on the hot path, read by the gauge at scrape time. */
@Injectable()
export class InFlightRequests {
  count = 0;
}
