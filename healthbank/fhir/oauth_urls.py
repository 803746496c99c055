"""The authorisation server's addresses, in django-oauth-toolkit's namespace (its views
reverse these names): the OAuth endpoints under /fhir/oauth/, the discovery documents beside
the FHIR base, /fhir/r4/.well-known/, so that the issuer is the FHIR base apps know."""

from django.urls import path, re_path
from oauth2_provider import views as oauth

from healthbank.fhir import views

app_name = "oauth2_provider"
urlpatterns = [
    path("oauth/authorize/", views.authorize, name="authorize"),
    path("oauth/token/", oauth.TokenView.as_view(), name="token"),
    path("oauth/revoke/", oauth.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/jwks/", oauth.JwksInfoView.as_view(), name="jwks-info"),
    path("oauth/userinfo/", oauth.UserInfoView.as_view(), name="user-info"),
    path(
        "r4/.well-known/smart-configuration",
        views.smart_configuration,
        name="smart-configuration",
    ),
    re_path(
        r"^r4/\.well-known/openid-configuration/?$",
        oauth.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(
        "r4/.well-known/oauth-authorization-server",
        oauth.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]
