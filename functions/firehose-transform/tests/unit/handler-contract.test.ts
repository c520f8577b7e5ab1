import { describeFirehoseContract } from '../support/contract-suite';
import { invokeSourceHandler } from '../support/invoke';

describeFirehoseContract('TypeScript source', invokeSourceHandler);
