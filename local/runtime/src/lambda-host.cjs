// A warm "Lambda container" for one function: requires the bundle once (cold start), then
// invokes `handler(event)` for each message from the parent and answers with the result.
// The parent sets the function's environment when it forks this process.
const bundlePath = process.env.LAMBDA_BUNDLE_PATH;
const { handler } = require(bundlePath);

process.on('message', (message) => {
  Promise.resolve()
    .then(() => handler(message.event, { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: message.id }))
    .then(
      (response) => process.send({ id: message.id, response }),
      (error) => process.send({ id: message.id, error: { name: error && error.name, message: String(error && error.message) } }),
    );
});
// When the runner dies (even by SIGKILL) the IPC channel closes: a Lambda container does not outlive it.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
