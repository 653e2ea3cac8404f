"""Built-in programmes: Cambodia's current system (baseline) and the reforms the mission names.

One file per programme; its parameters are in policies/parameters/<name>.yaml. See
docs/policies.md for each one's rules, parameters and sources.
"""
