"""The provisions (特記事項): the parsed text, versions per authority, and the control registry."""
