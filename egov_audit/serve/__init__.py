"""The national service (`egov-audit serve`): agencies submit signed bundles over HTTPS,
inspectors see the nation, each agency and each control, administrators keep the keys and
accounts. `app` builds the application; `auth` is the gate every route passes; `intake`,
`nation`, `agency`, `control` and `admin` are its routes; `charts` draws SVG from tables;
`db` lends store connections. Needs the `serve` extra (Starlette, uvicorn, argon2-cffi)."""
