import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { describeRuntimeConformance } from '../conformance/runtime-conformance.js';

describeRuntimeConformance('local', (context) => new LocalRuntime(context, { eventDebounceMs: 5 }));
