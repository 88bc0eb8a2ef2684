/**
 * The token formats the planted corpus holds, learnt from the public rule sets of gitleaks 8.30
 * (config/gitleaks.toml) and detect-secrets 1.5 (its plugins). Each entry draws a fresh value of
 * the format's shape, with its real checksum or structure where it has one, and names the rule
 * set(s) that define it. Values are random, so none of them grants access to anything.
 */
import {generateKeyPairSync, randomBytes} from 'node:crypto'

import type {ContextId} from './contexts.js'
import {
  BASE62, BASE64, DIGITS, HEX, HEX_UPPER, LOWER, LOWER_ALNUM, UPPER, UPPER_ALNUM, URL_SAFE,
  checksummedToken, randomInt, randomString as r, signedJwt, uuid, wrappedBase64,
} from './random.js'

export type RuleSet = 'gitleaks' | 'detect-secrets'

export interface SecretFormat {
  id: string
  ruleSets: readonly RuleSet[]
  /** The name a person gives such a secret, UPPER_SNAKE: the contexts derive `stripeSecretKey`, `stripe_secret_key`… */
  name: string
  generate: () => string
  /** The value is recognisable without its name (a prefix, a structure), so it may stand alone. */
  selfIdentifying: boolean
  /** The only contexts the format occurs in; all of them when absent. */
  contexts?: readonly ContextId[]
  /** The lines that carry the value, for formats that live in one kind of file (an .npmrc, a curl command). */
  snippet?: (value: string) => string
}

const G: readonly RuleSet[] = ['gitleaks']
const DS: readonly RuleSet[] = ['detect-secrets']
const BOTH: readonly RuleSet[] = ['gitleaks', 'detect-secrets']

/** Multi-line values (PEM blocks) go everywhere but .ini, which has no multi-line string. */
const MULTILINE_CONTEXTS: readonly ContextId[] = ['javascript', 'typescript', 'python', 'go', 'rust', 'toml', 'env', 'json', 'yaml', 'shell', 'notebook']

const prefixed = (id: string, ruleSets: readonly RuleSet[], name: string, generate: () => string, extra: Partial<SecretFormat> = {}): SecretFormat =>
  ({id, ruleSets, name, generate, selfIdentifying: true, ...extra})
/** A format that is only a random string, found by the provider's name next to it. */
const keyed = (id: string, ruleSets: readonly RuleSet[], name: string, generate: () => string): SecretFormat =>
  ({id, ruleSets, name, generate, selfIdentifying: false})

const alnumAround = (marker: string, length: number) => `${r(URL_SAFE, length - 20)}${r(BASE62, 20)}${marker}${r(BASE62, 20)}${r(URL_SAFE, length - 21)}${r(BASE62, 1)}`

function pem(label: string, body: string): string {
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`
}

const GITHUB: SecretFormat[] = [
  prefixed('github-pat', BOTH, 'GITHUB_TOKEN', () => checksummedToken('ghp_')),
  prefixed('github-oauth', BOTH, 'GITHUB_OAUTH_TOKEN', () => checksummedToken('gho_')),
  prefixed('github-user-to-server', BOTH, 'GITHUB_APP_USER_TOKEN', () => checksummedToken('ghu_')),
  prefixed('github-server-to-server', BOTH, 'GITHUB_INSTALLATION_TOKEN', () => checksummedToken('ghs_')),
  prefixed('github-refresh-token', BOTH, 'GITHUB_REFRESH_TOKEN', () => checksummedToken('ghr_')),
  prefixed('github-fine-grained-pat', G, 'GITHUB_PAT', () => `github_pat_11${r(UPPER_ALNUM, 20)}_${r(BASE62, 59)}`),
]

const GITLAB: SecretFormat[] = [
  prefixed('gitlab-pat', BOTH, 'GITLAB_TOKEN', () => `glpat-${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-pat-routable', BOTH, 'GITLAB_PAT', () => `glpat-${r(URL_SAFE, 44)}${r(BASE62, 1)}.01${r(LOWER_ALNUM, 7)}`),
  prefixed('gitlab-deploy-token', BOTH, 'GITLAB_DEPLOY_TOKEN', () => `gldt-${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-runner-token', BOTH, 'GITLAB_RUNNER_TOKEN', () => `glrt-${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-pipeline-trigger-token', BOTH, 'GITLAB_TRIGGER_TOKEN', () => `glptt-${r(HEX, 40)}`),
  prefixed('gitlab-runner-registration-token', BOTH, 'GITLAB_REGISTRATION_TOKEN', () => `GR1348941${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-feed-token', BOTH, 'GITLAB_FEED_TOKEN', () => `glft-${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-scim-token', BOTH, 'GITLAB_SCIM_TOKEN', () => `glsoat-${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-incoming-mail-token', BOTH, 'GITLAB_INCOMING_MAIL_TOKEN', () => `glimt-${r(URL_SAFE, 24)}${r(BASE62, 1)}`),
  prefixed('gitlab-agent-token', BOTH, 'GITLAB_AGENT_TOKEN', () => `glagent-${r(URL_SAFE, 49)}${r(BASE62, 1)}`),
  prefixed('gitlab-oauth-app-secret', BOTH, 'GITLAB_OAUTH_SECRET', () => `gloas-${r(URL_SAFE, 63)}${r(BASE62, 1)}`),
  prefixed('gitlab-cicd-job-token', BOTH, 'CI_JOB_TOKEN', () => `glcbt-${r(HEX, 2)}_${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
  prefixed('gitlab-feature-flag-client-token', G, 'GITLAB_FEATURE_FLAG_TOKEN', () => `glffct-${r(URL_SAFE, 19)}${r(BASE62, 1)}`),
]

const SLACK: SecretFormat[] = [
  prefixed('slack-bot-token', BOTH, 'SLACK_BOT_TOKEN', () => `xoxb-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(BASE62, 24)}`),
  prefixed('slack-user-token', BOTH, 'SLACK_USER_TOKEN', () => `xoxp-${r(DIGITS, 12)}-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(HEX, 32)}`),
  prefixed('slack-app-token', G, 'SLACK_APP_TOKEN', () => `xapp-1-A${r(UPPER_ALNUM, 10)}-${r(DIGITS, 13)}-${r(HEX, 64)}`),
  prefixed('slack-config-refresh-token', G, 'SLACK_CONFIG_REFRESH_TOKEN', () => `xoxe-1-${r(UPPER_ALNUM, 146)}`),
  prefixed('slack-webhook-url', BOTH, 'SLACK_WEBHOOK_URL', () => `https://hooks.slack.com/services/T${r(UPPER_ALNUM, 8)}/B${r(UPPER_ALNUM, 10)}/${r(BASE62, 24)}`),
]

const CLOUD: SecretFormat[] = [
  prefixed('aws-access-key-id', BOTH, 'AWS_ACCESS_KEY_ID', () => `AKIA${r(`${UPPER}234567`, 16)}`),
  keyed('aws-secret-access-key', DS, 'AWS_SECRET_ACCESS_KEY', () => r(BASE64, 40)),
  prefixed('aws-bedrock-api-key', G, 'AWS_BEARER_TOKEN_BEDROCK', () => `ABSK${r(BASE62, 132)}`),
  prefixed('gcp-api-key', G, 'GOOGLE_API_KEY', () => `AIza${r(URL_SAFE, 34)}${r(BASE62, 1)}`),
  prefixed('azure-ad-client-secret', G, 'AZURE_CLIENT_SECRET', () => `${r(BASE62, 3)}${r(DIGITS, 1)}Q~${r(`${BASE62}_~.-`, 33)}${r(BASE62, 1)}`),
  prefixed('azure-storage-connection-string', DS, 'AZURE_STORAGE_CONNECTION_STRING', () =>
    `DefaultEndpointsProtocol=https;AccountName=${r(LOWER_ALNUM, 12)};AccountKey=${randomBytes(64).toString('base64')};EndpointSuffix=core.windows.net`),
  prefixed('alibaba-access-key-id', G, 'ALIBABA_ACCESS_KEY_ID', () => `LTAI${r(BASE62, 20)}`),
  prefixed('digitalocean-pat', G, 'DIGITALOCEAN_TOKEN', () => `dop_v1_${r(HEX, 64)}`),
  prefixed('digitalocean-access-token', G, 'DIGITALOCEAN_ACCESS_TOKEN', () => `doo_v1_${r(HEX, 64)}`),
  prefixed('digitalocean-refresh-token', G, 'DIGITALOCEAN_REFRESH_TOKEN', () => `dor_v1_${r(HEX, 64)}`),
  prefixed('cloudflare-origin-ca-key', G, 'CLOUDFLARE_ORIGIN_CA_KEY', () => `v1.0-${r(HEX, 24)}-${r(HEX, 146)}`),
  keyed('cloudflare-api-key', G, 'CLOUDFLARE_API_TOKEN', () => `${r(URL_SAFE, 39)}${r(BASE62, 1)}`),
  keyed('ibm-cloud-iam-key', DS, 'IBM_CLOUD_IAM_API_KEY', () => `${r(URL_SAFE, 43)}${r(BASE62, 1)}`),
  keyed('ibm-cos-hmac-secret', DS, 'COS_HMAC_SECRET_ACCESS_KEY', () => r(HEX, 48)),
  keyed('softlayer-api-key', DS, 'SOFTLAYER_API_KEY', () => r(LOWER_ALNUM, 64)),
  prefixed('heroku-api-key-v2', G, 'HEROKU_API_KEY', () => `HRKU-AA${r(URL_SAFE, 57)}${r(BASE62, 1)}`),
  keyed('heroku-api-key', G, 'HEROKU_API_KEY', () => uuid()),
  prefixed('flyio-access-token', G, 'FLY_API_TOKEN', () => `fo1_${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  prefixed('openshift-user-token', G, 'OPENSHIFT_TOKEN', () => `sha256~${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  prefixed('hashicorp-tf-api-token', G, 'TFE_TOKEN', () => `${r(LOWER_ALNUM, 14)}.atlasv1.${r(URL_SAFE, 66)}${r(BASE62, 1)}`),
  prefixed('vault-service-token', G, 'VAULT_TOKEN', () => `hvs.${r(URL_SAFE, 94)}${r(BASE62, 1)}`),
  prefixed('vault-batch-token', G, 'VAULT_BATCH_TOKEN', () => `hvb.${r(URL_SAFE, 139)}${r(BASE62, 1)}`),
  prefixed('databricks-api-token', G, 'DATABRICKS_TOKEN', () => `dapi${r(HEX, 32)}`),
  prefixed('dynatrace-api-token', G, 'DT_API_TOKEN', () => `dt0c01.${r(UPPER_ALNUM, 24)}.${r(UPPER_ALNUM, 64)}`),
  prefixed('doppler-api-token', G, 'DOPPLER_TOKEN', () => `dp.pt.${r(BASE62, 43)}`),
  prefixed('pulumi-api-token', G, 'PULUMI_ACCESS_TOKEN', () => `pul-${r(HEX, 40)}`),
  prefixed('clickhouse-cloud-api-secret-key', G, 'CLICKHOUSE_API_SECRET', () => `4b1d${r(BASE62, 38)}`),
  prefixed('planetscale-api-token', G, 'PLANETSCALE_SERVICE_TOKEN', () => `pscale_tkn_${r(BASE62, 43)}`),
  prefixed('planetscale-password', G, 'PLANETSCALE_PASSWORD', () => `pscale_pw_${r(BASE62, 43)}`),
  prefixed('scalingo-api-token', G, 'SCALINGO_API_TOKEN', () => `tk-us-${r(URL_SAFE, 47)}${r(BASE62, 1)}`),
  prefixed('octopus-deploy-api-key', G, 'OCTOPUS_API_KEY', () => `API-${r(UPPER_ALNUM, 26)}`),
  prefixed('harness-api-key', G, 'HARNESS_API_KEY', () => `pat.${r(URL_SAFE, 22)}.${r(BASE62, 24)}.${r(BASE62, 20)}`),
]

const AI: SecretFormat[] = [
  prefixed('openai-project-key', G, 'OPENAI_API_KEY', () => `sk-proj-${alnumAround('T3BlbkFJ', 74)}`),
  prefixed('openai-legacy-key', BOTH, 'OPENAI_API_KEY', () => `sk-${r(BASE62, 20)}T3BlbkFJ${r(BASE62, 20)}`),
  prefixed('anthropic-api-key', G, 'ANTHROPIC_API_KEY', () => `sk-ant-api03-${r(URL_SAFE, 93)}AA`),
  prefixed('anthropic-admin-api-key', G, 'ANTHROPIC_ADMIN_KEY', () => `sk-ant-admin01-${r(URL_SAFE, 93)}AA`),
  prefixed('huggingface-access-token', G, 'HF_TOKEN', () => `hf_${r(UPPER + LOWER, 34)}`),
  prefixed('huggingface-organization-token', G, 'HF_ORG_TOKEN', () => `api_org_${r(UPPER + LOWER, 34)}`),
  prefixed('perplexity-api-key', G, 'PERPLEXITY_API_KEY', () => `pplx-${r(BASE62, 48)}`),
  keyed('cohere-api-token', G, 'COHERE_API_KEY', () => r(BASE62, 40)),
]

const PACKAGES: SecretFormat[] = [
  prefixed('npm-access-token', G, 'NPM_TOKEN', () => checksummedToken('npm_')),
  prefixed('npmrc-auth-token', BOTH, 'NPM_TOKEN', () => checksummedToken('npm_'), {
    contexts: ['ini'],
    snippet: (value) => `//registry.npmjs.org/:_authToken=${value}`,
  }),
  prefixed('pypi-upload-token', BOTH, 'PYPI_TOKEN', () => `pypi-AgEIcHlwaS5vcmc${r(URL_SAFE, 149)}${r(BASE62, 1)}`),
  prefixed('rubygems-api-token', G, 'GEM_HOST_API_KEY', () => `rubygems_${r(HEX, 48)}`),
  prefixed('clojars-api-token', G, 'CLOJARS_TOKEN', () => `CLOJARS_${r(LOWER_ALNUM, 60)}`),
  prefixed('artifactory-api-key', BOTH, 'ARTIFACTORY_API_KEY', () => `AKCp${r(BASE62, 69)}`),
  prefixed('artifactory-reference-token', G, 'ARTIFACTORY_ACCESS_TOKEN', () => `cmVmd${r(BASE62, 59)}`),
  keyed('jfrog-api-key', G, 'JFROG_API_KEY', () => r(LOWER_ALNUM, 73)),
  prefixed('readme-api-token', G, 'README_API_KEY', () => `rdme_${r(LOWER_ALNUM, 70)}`),
  prefixed('prefect-api-token', G, 'PREFECT_API_KEY', () => `pnu_${r(BASE62, 36)}`),
  prefixed('infracost-api-token', G, 'INFRACOST_API_KEY', () => `ico-${r(BASE62, 32)}`),
  keyed('sonar-api-token', G, 'SONAR_TOKEN', () => `squ_${r(HEX, 40)}`),
  keyed('snyk-api-token', G, 'SNYK_TOKEN', () => uuid()),
]

const PAYMENTS: SecretFormat[] = [
  prefixed('stripe-secret-key', BOTH, 'STRIPE_SECRET_KEY', () => `sk_live_${r(BASE62, 24)}`),
  prefixed('stripe-restricted-key', BOTH, 'STRIPE_RESTRICTED_KEY', () => `rk_live_${r(BASE62, 24)}`),
  prefixed('square-access-token', G, 'SQUARE_ACCESS_TOKEN', () => `sq0atp-${r(URL_SAFE, 21)}${r(BASE62, 1)}`),
  prefixed('square-oauth-secret', DS, 'SQUARE_OAUTH_SECRET', () => `sq0csp-${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  prefixed('flutterwave-secret-key', G, 'FLUTTERWAVE_SECRET_KEY', () => `FLWSECK_TEST-${r('abcdefgh0123456789', 32)}-X`),
  prefixed('shippo-api-token', G, 'SHIPPO_API_KEY', () => `shippo_live_${r(HEX, 40)}`),
  prefixed('easypost-api-token', G, 'EASYPOST_API_KEY', () => `EZAK${r(BASE62, 54)}`),
  prefixed('duffel-api-token', G, 'DUFFEL_ACCESS_TOKEN', () => `duffel_live_${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  keyed('gocardless-api-token', G, 'GOCARDLESS_ACCESS_TOKEN', () => `live_${r(URL_SAFE, 39)}${r(BASE62, 1)}`),
  keyed('plaid-api-token', G, 'PLAID_ACCESS_TOKEN', () => `access-production-${uuid()}`),
  keyed('lob-api-key', G, 'LOB_API_KEY', () => `live_${r(HEX, 35)}`),
  prefixed('shopify-access-token', G, 'SHOPIFY_ACCESS_TOKEN', () => `shpat_${r(HEX, 32)}`),
  prefixed('shopify-custom-access-token', G, 'SHOPIFY_CUSTOM_APP_TOKEN', () => `shpca_${r(HEX, 32)}`),
  prefixed('shopify-private-app-access-token', G, 'SHOPIFY_PRIVATE_APP_TOKEN', () => `shppa_${r(HEX, 32)}`),
  prefixed('shopify-shared-secret', G, 'SHOPIFY_SHARED_SECRET', () => `shpss_${r(HEX, 32)}`),
]

const MESSAGING: SecretFormat[] = [
  prefixed('sendgrid-api-token', BOTH, 'SENDGRID_API_KEY', () => `SG.${r(URL_SAFE, 22)}.${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  prefixed('sendinblue-api-token', G, 'BREVO_API_KEY', () => `xkeysib-${r(HEX, 64)}-${r(BASE62, 16)}`),
  prefixed('mailchimp-api-key', BOTH, 'MAILCHIMP_API_KEY', () => `${r(HEX, 32)}-us${randomInt(10, 21)}`),
  keyed('mailgun-private-api-token', G, 'MAILGUN_API_KEY', () => `key-${r(HEX, 32)}`),
  prefixed('twilio-api-key', BOTH, 'TWILIO_API_KEY', () => `SK${r(HEX, 32)}`),
  prefixed('twilio-account-sid', DS, 'TWILIO_ACCOUNT_SID', () => `AC${r(HEX, 32)}`),
  prefixed('telegram-bot-token', BOTH, 'TELEGRAM_BOT_TOKEN', () => `${randomInt(1, 9)}${r(DIGITS, 9)}:AA${r(URL_SAFE, 32)}${r(BASE62, 1)}`),
  prefixed('discord-bot-token', DS, 'DISCORD_BOT_TOKEN', () => `M${r(BASE62, 23)}.${r(BASE62, 6)}.${r(URL_SAFE, 26)}${r(BASE62, 1)}`),
  keyed('discord-client-secret', G, 'DISCORD_CLIENT_SECRET', () => `${r(URL_SAFE, 31)}${r(BASE62, 1)}`),
  prefixed('microsoft-teams-webhook', G, 'TEAMS_WEBHOOK_URL', () =>
    `https://${r(LOWER_ALNUM, 8)}.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${r(HEX, 32)}/${uuid()}`),
  keyed('intercom-api-key', G, 'INTERCOM_ACCESS_TOKEN', () => `${r(URL_SAFE, 59)}${r(BASE62, 1)}`),
  keyed('twitch-api-token', G, 'TWITCH_CLIENT_SECRET', () => r(LOWER_ALNUM, 30)),
  keyed('twitter-bearer-token', G, 'TWITTER_BEARER_TOKEN', () => `${'A'.repeat(22)}${r(BASE62, 90)}`),
  prefixed('facebook-page-access-token', G, 'FACEBOOK_PAGE_TOKEN', () => `EAAM${r(BASE62, 150)}`),
]

const SAAS: SecretFormat[] = [
  prefixed('1password-secret-key', G, 'OP_SECRET_KEY', () => `A3-${r(UPPER_ALNUM, 6)}-${r(UPPER_ALNUM, 11)}-${r(UPPER_ALNUM, 5)}-${r(UPPER_ALNUM, 5)}-${r(UPPER_ALNUM, 5)}`),
  prefixed('age-secret-key', G, 'AGE_SECRET_KEY', () => `AGE-SECRET-KEY-1${r('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`),
  prefixed('airtable-personal-access-token', G, 'AIRTABLE_TOKEN', () => `pat${r(BASE62, 14)}.${r(HEX, 64)}`),
  keyed('adafruit-api-key', G, 'ADAFRUIT_IO_KEY', () => `${r(URL_SAFE, 31)}${r(BASE62, 1)}`),
  keyed('algolia-api-key', G, 'ALGOLIA_API_KEY', () => r(LOWER_ALNUM, 32)),
  keyed('asana-client-secret', G, 'ASANA_CLIENT_SECRET', () => r(LOWER_ALNUM, 32)),
  keyed('atlassian-api-token', G, 'ATLASSIAN_API_TOKEN', () => `${r(LOWER_ALNUM, 20)}${r(HEX, 4)}`),
  keyed('bitbucket-client-secret', G, 'BITBUCKET_CLIENT_SECRET', () => `${r(URL_SAFE, 63)}${r(BASE62, 1)}`),
  keyed('confluent-secret-key', G, 'CONFLUENT_SECRET', () => r(LOWER_ALNUM, 64)),
  keyed('contentful-delivery-api-token', G, 'CONTENTFUL_DELIVERY_TOKEN', () => `${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  keyed('datadog-access-token', G, 'DATADOG_APP_KEY', () => r(LOWER_ALNUM, 40)),
  keyed('dropbox-short-lived-api-token', G, 'DROPBOX_ACCESS_TOKEN', () => `sl.${r(URL_SAFE, 134)}${r(BASE62, 1)}`),
  keyed('fastly-api-token', G, 'FASTLY_API_TOKEN', () => `${r(URL_SAFE, 31)}${r(BASE62, 1)}`),
  keyed('finnhub-access-token', G, 'FINNHUB_API_KEY', () => r(LOWER_ALNUM, 20)),
  prefixed('frameio-api-token', G, 'FRAMEIO_TOKEN', () => `fio-u-${r(URL_SAFE, 63)}${r(BASE62, 1)}`),
  prefixed('grafana-api-key', G, 'GRAFANA_API_KEY', () => `eyJrIjoi${r(BASE62, 90)}`),
  prefixed('grafana-cloud-api-token', G, 'GRAFANA_CLOUD_TOKEN', () => `glc_${r(BASE62, 120)}`),
  prefixed('grafana-service-account-token', G, 'GRAFANA_SA_TOKEN', () => `glsa_${r(BASE62, 32)}_${r(HEX, 8)}`),
  keyed('hubspot-api-key', G, 'HUBSPOT_API_KEY', () => uuid(HEX_UPPER)),
  prefixed('intra42-client-secret', G, 'INTRA42_CLIENT_SECRET', () => `s-s4t2ud-${r(HEX, 64)}`),
  keyed('launchdarkly-access-token', G, 'LAUNCHDARKLY_SDK_KEY', () => `${r(URL_SAFE, 39)}${r(BASE62, 1)}`),
  prefixed('linear-api-key', G, 'LINEAR_API_KEY', () => `lin_api_${r(BASE62, 40)}`),
  keyed('mapbox-api-token', G, 'MAPBOX_TOKEN', () => `pk.${r(BASE62, 60)}.${r(BASE62, 22)}`),
  prefixed('maxmind-license-key', G, 'MAXMIND_LICENSE_KEY', () => `${r(BASE62, 6)}_${r(BASE62, 29)}_mmk`),
  keyed('netlify-access-token', G, 'NETLIFY_AUTH_TOKEN', () => `${r(URL_SAFE, 42)}${r(BASE62, 1)}`),
  keyed('new-relic-user-api-key', G, 'NEW_RELIC_API_KEY', () => `NRAK-${r(UPPER_ALNUM, 27)}`),
  prefixed('notion-api-token', G, 'NOTION_TOKEN', () => `ntn_${r(DIGITS, 11)}${r(BASE62, 35)}`),
  keyed('okta-access-token', G, 'OKTA_API_TOKEN', () => `00${r(URL_SAFE, 39)}${r(BASE62, 1)}`),
  prefixed('postman-api-token', G, 'POSTMAN_API_KEY', () => `PMAK-${r(HEX, 24)}-${r(HEX, 34)}`),
  keyed('sentry-access-token', G, 'SENTRY_AUTH_TOKEN', () => r(HEX, 64)),
  prefixed('sentry-user-token', G, 'SENTRY_USER_TOKEN', () => `sntryu_${r(HEX, 64)}`),
  keyed('sumologic-access-token', G, 'SUMO_ACCESS_KEY', () => r(BASE62, 64)),
  keyed('typeform-api-token', G, 'TYPEFORM_TOKEN', () => `tfp_${r(URL_SAFE, 58)}${r(BASE62, 1)}`),
  keyed('yandex-api-key', G, 'YANDEX_API_KEY', () => `AQVN${r(URL_SAFE, 35)}${r(BASE62, 1)}`),
  keyed('zendesk-secret-key', G, 'ZENDESK_API_TOKEN', () => r(LOWER_ALNUM, 40)),
  prefixed('sidekiq-sensitive-url', G, 'SIDEKIQ_GEMS_URL', () => `https://${r(HEX, 8)}:${r(HEX, 8)}@gems.contribsys.com/`),
]

const CREDENTIALS: SecretFormat[] = [
  prefixed('jwt', BOTH, 'SERVICE_JWT', signedJwt),
  prefixed('basic-auth-url', DS, 'DATABASE_URL', () => `postgres://app:${r(BASE62, 20)}@db.internal.example.com:5432/app`),
  prefixed('cloudant-url', DS, 'CLOUDANT_URL', () => {
    const account = `acme-${r(LOWER, 8)}`
    return `https://${account}:${r(HEX, 64)}@${account}.cloudant.com`
  }),
  keyed('generic-password', BOTH, 'DB_PASSWORD', () => r(BASE62, 20)),
  prefixed('curl-auth-header', G, 'API_TOKEN', () => r(BASE62, 40), {
    contexts: ['shell'],
    snippet: (value) => `curl -sS -H "Authorization: Bearer ${value}" https://api.example.com/v1/deployments`,
  }),
  prefixed('curl-auth-user', G, 'DEPLOY_PASSWORD', () => r(BASE62, 20), {
    contexts: ['shell'],
    snippet: (value) => `curl -sS -u "deploy:${value}" https://artifacts.example.com/upload`,
  }),
  prefixed('kubernetes-secret-yaml', G, 'DB_PASSWORD', () => randomBytes(24).toString('base64'), {
    contexts: ['yaml'],
    snippet: (value) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  password: ${value}`,
  }),
]

const PRIVATE_KEYS: SecretFormat[] = [
  prefixed('private-key-rsa', BOTH, 'TLS_PRIVATE_KEY', () =>
    generateKeyPairSync('rsa', {modulusLength: 2048, publicKeyEncoding: {type: 'spki', format: 'pem'}, privateKeyEncoding: {type: 'pkcs1', format: 'pem'}}).privateKey.trim(),
  {contexts: MULTILINE_CONTEXTS}),
  prefixed('private-key-ec', BOTH, 'SIGNING_KEY', () =>
    generateKeyPairSync('ec', {namedCurve: 'prime256v1', publicKeyEncoding: {type: 'spki', format: 'pem'}, privateKeyEncoding: {type: 'sec1', format: 'pem'}}).privateKey.trim(),
  {contexts: MULTILINE_CONTEXTS}),
  prefixed('private-key-pkcs8', BOTH, 'JWT_SIGNING_KEY', () =>
    generateKeyPairSync('ed25519', {publicKeyEncoding: {type: 'spki', format: 'pem'}, privateKeyEncoding: {type: 'pkcs8', format: 'pem'}}).privateKey.trim(),
  {contexts: MULTILINE_CONTEXTS}),
  // OpenSSH's own container (the "openssh-key-v1" magic, then the key material): node cannot write it, so the material is random.
  prefixed('private-key-openssh', BOTH, 'DEPLOY_SSH_KEY', () =>
    pem('OPENSSH PRIVATE KEY', wrappedBase64(Buffer.concat([Buffer.from('openssh-key-v1\0'), randomBytes(380)]))),
  {contexts: MULTILINE_CONTEXTS}),
  prefixed('private-key-pgp', BOTH, 'GPG_PRIVATE_KEY', () =>
    `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${wrappedBase64(randomBytes(600))}\n=${r(BASE64, 4)}\n-----END PGP PRIVATE KEY BLOCK-----`,
  {contexts: MULTILINE_CONTEXTS}),
  prefixed('private-key-putty', DS, 'PUTTY_KEY', () =>
    `PuTTY-User-Key-File-2: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n${wrappedBase64(randomBytes(51))}\nPrivate-Lines: 1\n${wrappedBase64(randomBytes(48))}\nPrivate-MAC: ${r(HEX, 40)}`,
  {contexts: MULTILINE_CONTEXTS}),
]

export const FORMATS: readonly SecretFormat[] = [
  ...GITHUB, ...GITLAB, ...SLACK, ...CLOUD, ...AI, ...PACKAGES, ...PAYMENTS, ...MESSAGING, ...SAAS, ...CREDENTIALS, ...PRIVATE_KEYS,
]
