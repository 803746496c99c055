"""healthbank: an open implementation of Taiwan NHI's My Health Bank (健康存摺)."""
