import { type DynamoCall, startDynamoProxy } from '../../infra/local/dynamo-proxy.js';

/**
 * An HTTP proxy in front of dynalite that can make DynamoDB fail mid-event, the way a real outage or a lost
 * response does. `before`: the call never reaches the table. `after`: the table applies it, but the caller
 * sees a 500, as when the response is lost on the way back.
 */
export interface FaultyProxy {
  readonly endpoint: string;
  /** Fails the next `count` calls whose target operation (e.g. `PutItem`) matches. */
  failNext(operation: string, count: number, when: 'before' | 'after'): void;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const faults: { operation: string; when: 'before' | 'after' }[] = [];
  const failAfterForward = new WeakSet<DynamoCall>();
  const proxy = await startDynamoProxy(target, {
    beforeForward(call) {
      const index = faults.findIndex((fault) => fault.operation === call.operation);
      if (index < 0) return undefined;
      const [fault] = faults.splice(index, 1);
      if (fault?.when === 'before') return 'fail';
      failAfterForward.add(call);
      return undefined;
    },
    afterForward: (call) => (failAfterForward.has(call) ? 'fail' : undefined),
  });
  return {
    endpoint: proxy.endpoint,
    failNext(operation, count, when) {
      for (let i = 0; i < count; i++) faults.push({ operation, when });
    },
    close: () => proxy.close(),
  };
}
