// Invokes the built Lambda bundle the way the Lambda runtime does: require index.js, call
// `handler(event)`, and write the response to a file. Logs and EMF metrics go to stdout.
// Usage: node run-bundle.cjs <bundle/index.js> <event.json> <response.json>
const fs = require('node:fs');

const [bundlePath, eventPath, responsePath] = process.argv.slice(2);
const { handler } = require(bundlePath);
const event = JSON.parse(fs.readFileSync(eventPath, 'utf8'));
Promise.resolve(handler(event, {})).then(
  (response) => fs.writeFileSync(responsePath, JSON.stringify(response)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
