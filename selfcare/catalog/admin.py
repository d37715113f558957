from django.contrib import admin

from .models import Allowance, Offer, Option, Promotion, TopupAmount


class OfferAllowanceInline(admin.TabularInline):
    model = Allowance
    fk_name = "offer"
    exclude = ["option"]
    extra = 0


class OptionAllowanceInline(admin.TabularInline):
    model = Allowance
    fk_name = "option"
    exclude = ["offer"]
    extra = 0


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "monthly_fee", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [OfferAllowanceInline]


@admin.register(Option)
class OptionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "price", "duration", "is_active"]
    list_filter = ["duration", "is_active"]
    filter_horizontal = ["compatible_offers", "excludes"]
    inlines = [OptionAllowanceInline]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "valid_from", "valid_until", "monthly_discount"]
    filter_horizontal = ["offers", "companies"]


admin.site.register(TopupAmount)
