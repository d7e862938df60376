# The gateway's one native addon (tcp-info.c), built by `npm run build` with the node-gyp that npm ships.
{
  "targets": [
    {
      "target_name": "tcp_info",
      "sources": ["tcp-info.c"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
