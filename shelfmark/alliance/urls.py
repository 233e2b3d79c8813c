"""Staff pages of the alliance: local documents, the gap report, the scorecard, and their Excel files."""

from django.urls import path

from shelfmark.alliance import views

app_name = "alliance"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<int:document_id>/", views.edit, name="edit"),
    path("documents/<int:document_id>/withdraw/", views.withdraw, name="withdraw"),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps.xlsx", views.gaps_xlsx, name="gaps_xlsx"),
    path("scorecard/", views.scorecard_page, name="scorecard"),
    path("scorecard.xlsx", views.scorecard_xlsx, name="scorecard_xlsx"),
]
