import { type DynamoCall, startDynamoProxy } from '../../infra/local/dynamo-proxy.js';

/**
 * An HTTP proxy in front of dynalite that can make DynamoDB fail mid-event, the way a real outage or a lost
 * response does. `before`: the call never reaches the table. `after`: the table applies it, but the caller
 * sees a 500, as when the response is lost on the way back.
 */
export interface FaultyProxy {
  readonly endpoint: string;
  /**
   * Fails the next `count` calls whose target operation (e.g. `PutItem`) matches and, when `bodyContains`
   * is given, whose request body contains it (a key prefix such as `FEEDBACK#`).
   */
  failNext(operation: string, count: number, when: 'before' | 'after', bodyContains?: string): void;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const faults: { operation: string; when: 'before' | 'after'; bodyContains?: string }[] = [];
  const failAfterForward = new WeakSet<DynamoCall>();
  const proxy = await startDynamoProxy(target, {
    beforeForward(call) {
      const index = faults.findIndex(
        (fault) =>
          fault.operation === call.operation &&
          (fault.bodyContains === undefined || call.body.includes(fault.bodyContains)),
      );
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
    failNext(operation, count, when, bodyContains) {
      for (let i = 0; i < count; i++)
        faults.push({ operation, when, ...(bodyContains ? { bodyContains } : {}) });
    },
    close: () => proxy.close(),
  };
}
