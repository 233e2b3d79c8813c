"""Staff pages of book lists: compose, order and publish a library's staff picks and curated lists."""

from django.urls import path

from shelfmark.booklists import views

app_name = "booklists"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:list_id>/", views.edit, name="edit"),
    path("<int:list_id>/entries/", views.add_entry, name="add_entry"),
    path("<int:list_id>/entries/<int:entry_id>/note/", views.set_note, name="set_note"),
    path("<int:list_id>/entries/<int:entry_id>/move/", views.move_entry, name="move_entry"),
    path("<int:list_id>/entries/<int:entry_id>/remove/", views.remove_entry, name="remove_entry"),
    path("<int:list_id>/publish/", views.publish, name="publish"),
    path("<int:list_id>/unpublish/", views.unpublish, name="unpublish"),
]
