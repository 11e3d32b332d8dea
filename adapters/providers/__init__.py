"""ProviderHealth adapters: which LLM providers are cooling down after a failure."""
