import appMarket from '../manifests/app_market.json';
import appMarketLocal from '../manifests/app_market.local.json';

/**
 * The manifests the collector ships in `manifests/`, as their JSON (the `./manifests` subpath of
 * the package): callers spread and override them, then validate with `parseManifest`. Kept out of
 * the package's entry so that the CLI bundle does not carry them.
 */

/** `app_market.json`: the vendor dataset as deployed (SSM API key, the deployed stream). */
export const appMarketManifest = appMarket;

/** `app_market.local.json`: the same dataset against the vendor simulator and the local stack. */
export const appMarketLocalManifest = appMarketLocal;
