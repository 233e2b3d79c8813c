from django.contrib import admin

from shelfmark.accounts.models import RoleGrant


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "library")
    list_filter = ("role",)
    search_fields = ("user__username", "library__code")
