"""What the Content-Security-Policy allows beyond the portal's own files (settings.PATEN_CSP).

The bpmn.io watermark of the decision table editor (and the notice it opens) is drawn by dmn-js from
markup with style attributes, in a file its licence forbids changing; those exact attributes are
allowed by their hashes, and no other inline style. Plain Python: settings import it.
"""

from __future__ import annotations

import base64
import hashlib

WATERMARK_STYLES = (
    "vertical-align:middle",
    "position: absolute; bottom: 15px; right: 15px; z-index: 100;",
    "z-index: 1001;position: fixed;top: 0;left: 0;right: 0;bottom: 0",
    "width: 100%;height: 100%;background: rgba(40,40,40,0.2)",
    "position: absolute;left: 50%;top: 40%;transform: translate(-50%);width: 260px;padding: 10px;background: white;"
    "box-shadow: 0 1px 4px rgba(0,0,0,0.3);font-family: Helvetica, Arial, sans-serif;font-size: 14px;display: flex;"
    "line-height: 1.3",
    "margin: 15px 20px 15px 10px; align-self: center;",
)


def style_hash(style: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"


WATERMARK_STYLE_HASHES = " ".join(style_hash(style) for style in WATERMARK_STYLES)
