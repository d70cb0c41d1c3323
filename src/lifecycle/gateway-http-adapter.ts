import http from 'node:http';
import { ExpressAdapter } from '@nestjs/platform-express';

/**
 * Nest's Express adapter with the node:http server options Nest does not pass through
 * (`maxHeaderSize`: the parser's own cap on the request line and headers).
 */
export class GatewayHttpAdapter extends ExpressAdapter {
  constructor(private readonly serverOptions: http.ServerOptions) {
    super();
  }

  override initHttpServer(): void {
    this.httpServer = http.createServer(this.serverOptions, this.getInstance());
  }
}
