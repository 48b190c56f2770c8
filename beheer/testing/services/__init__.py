"""Every write of test management, one module per subject; import them from their module.

`plans`: the test plan, its environments and their preparation, its cases and the library of
standard cases. `runs`: test runs, results, evidence and findings (and a finding's call or
activity). `sessions`: acceptance sessions, the users' work in the portal and the sign-off.
`advice`: the tester's advice on the test report. Shared helpers are in `_base`.
"""
