/**
 * The OpenAPI 3.1 document (`/docs/json`) and Swagger UI (`/docs`), generated from the routes'
 * schemas; partner request bodies are the payload contracts' JSON Schemas (from zod). Must be
 * registered before the routes. Served from node_modules: no network at run time.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance, options: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'idocgate',
        version: options.version,
        description:
          'Self-hosted SAP IDoc gateway. SAP posts IDoc-XML / IDoc-SOAP / flat files, partners post JSON; ' +
          'every answer comes after the message is durable in the store. Errors are `{ code, message, issues }`.',
      },
      tags: [
        { name: 'SAP edges', description: 'SAP XML-HTTP port, IDoc-SOAP, flat-file upload' },
        { name: 'Partner edges', description: 'JSON per payload contract, with Idempotency-Key' },
        { name: 'Support', description: 'Operators: search, inspect, replay, cancel, bulk replay, audit' },
        { name: 'Health', description: 'Liveness, readiness, Prometheus metrics' },
      ],
      components: {
        securitySchemes: {
          basic: {
            type: 'http',
            scheme: 'basic',
            description: 'SAP port / partner / operator basic credentials',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'Partner API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'Partner API key' },
          session: {
            type: 'http',
            scheme: 'bearer',
            description: 'Operator session token from POST /api/session',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });
}
