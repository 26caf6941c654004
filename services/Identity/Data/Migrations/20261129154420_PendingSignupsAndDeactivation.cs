using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesMind.Identity.Data.Migrations
{
    /// <inheritdoc />
    public partial class PendingSignupsAndDeactivation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "contested_at",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deactivated_at",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "completes_signup",
                table: "password_reset_tokens",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Until now deactivation was only is_active = false, which a pending account also has.
            // A verified account that is inactive can only have been deactivated; a deactivated
            // pending one cannot be told apart (that is the bug this migration ends).
            migrationBuilder.Sql("UPDATE users SET deactivated_at = now() WHERE is_active = false AND email_verified_at IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "contested_at",
                table: "users");

            migrationBuilder.DropColumn(
                name: "deactivated_at",
                table: "users");

            migrationBuilder.DropColumn(
                name: "completes_signup",
                table: "password_reset_tokens");
        }
    }
}
